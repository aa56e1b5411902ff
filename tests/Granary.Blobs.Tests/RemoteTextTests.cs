using Granary.Blobs.Protocol;

namespace Granary.Blobs.Tests;

/// <summary>Another party's words are printed, never executed by the terminal: control characters become visible escapes.</summary>
public sealed class RemoteTextTests
{
    [Theory]
    [InlineData("No blob here.", "No blob here.")]
    [InlineData("naïve 名前 €", "naïve 名前 €")]
    [InlineData("line\nFAKE: done", "line\\nFAKE: done")]
    [InlineData("\u001b[31mred\u001b[0m\r\t", "\\x1b[31mred\\x1b[0m\\r\\t")]
    [InlineData("\u0085next\u2028", "\\x85next\u2028")]
    public void Control_characters_become_escapes_and_the_rest_stays(string text, string printed) =>
        Assert.Equal(printed, RemoteText.Printable(text));

    [Fact]
    public async Task An_error_reply_from_the_wire_arrives_printable()
    {
        byte[] frame = new MetadataBlock([new("status", 400L), new("error", "bad\u001b]0;owned\u0007 path")]).ToFrame();
        MetadataBlock block = (await MetadataBlock.ReadAsync(new MemoryStream(frame), CancellationToken.None))!;
        BlobProtocolException error = ErrorReply.From(block, 400).ToException();
        Assert.Equal((BlobStatus.BadRequest, "bad\\x1b]0;owned\\x07 path"), (error.Status, error.Message));
    }
}
