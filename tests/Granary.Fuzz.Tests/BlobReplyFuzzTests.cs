using CsCheck;
using Granary.Blobs.Protocol;
using Xunit.Abstractions;

namespace Granary.Fuzz.Tests;

/// <summary>
/// Fuzzes every reply parser of <c>granary/blobs/1</c> as a client reads it
/// (<see cref="BlobReply.ReadOrErrorAsync{T}"/>: the framing, the status, then the kind's
/// <see cref="IBlobReply{TSelf}.Parse"/> or <see cref="ErrorReply.From(MetadataBlock, long)"/>)
/// with valid replies of the kind and errors, edited (fields of other kinds spliced in among
/// others) and raw bytes. Proves: a hostile silo's reply is refused only with a 400
/// <see cref="BlobProtocolException"/>; valid replies read back as themselves; accepted ones
/// survive a round trip unchanged; within the time and allocation bounds.
/// </summary>
public sealed class BlobReplyFuzzTests(ITestOutputHelper output)
{
    private static readonly Gen<MetadataBlock> AnyReply = BlobMessages.Reply.Select(r => r.ToBlock());

    [Fact]
    public void OkReply_is_read_or_refused_with_a_400() => Run<OkReply>(Gen.Const<BlobReply>(OkReply.Instance));

    [Fact]
    public void SeriesEnd_is_read_or_refused_with_a_400() => Run<SeriesEnd>(Gen.Const<BlobReply>(SeriesEnd.Instance));

    [Fact]
    public void BlobDescription_is_read_or_refused_with_a_400() => Run<BlobDescription>(BlobMessages.Description.Select(r => (BlobReply)r));

    [Fact]
    public void BlobAvailability_is_read_or_refused_with_a_400() => Run<BlobAvailability>(BlobMessages.Availability.Select(r => (BlobReply)r));

    [Fact]
    public void ClusterStatus_is_read_or_refused_with_a_400() => Run<ClusterStatus>(BlobMessages.Status.Select(r => (BlobReply)r));

    [Fact]
    public void ScrubSummary_is_read_or_refused_with_a_400() => Run<ScrubSummary>(BlobMessages.Scrub.Select(r => (BlobReply)r));

    private void Run<T>(Gen<BlobReply> kind)
        where T : BlobReply, IBlobReply<T>
    {
        // Mostly the kind expected, sometimes an error in its place: both are valid answers.
        Gen<MetadataBlock> valid = Gen.Frequency((4, kind), (1, BlobMessages.Error.Select(e => (BlobReply)e))).Select(r => r.ToBlock());
        FuzzRunner.Run(output, $"BlobReply.ReadOrErrorAsync<{typeof(T).Name}>", Inputs.Frames(valid, AnyReply), input => input.Bytes.Length, Replies<T>.Check);
    }
}
