using Granary.Blobs.Protocol;

namespace Granary.Grains.Tests;

/// <summary>One request served by a protocol handler on in-memory streams, as the handler tests drive them.</summary>
internal static class InMemoryRequest
{
    /// <summary>Writes <paramref name="request"/> to an input stream, lets <paramref name="serve"/> answer, and returns the output from its start.</summary>
    public static async Task<MemoryStream> ServeAsync(MetadataBlock request, Func<Stream, Stream, Task> serve)
    {
        var input = new MemoryStream();
        await request.WriteAsync(input, default);
        input.Position = 0;
        var output = new MemoryStream();
        await serve(input, output);
        output.Position = 0;
        return output;
    }

    /// <summary>Serves <paramref name="request"/> and returns its one reply, which must be an error and the only thing written.</summary>
    public static async Task<ErrorReply> ServeForErrorAsync(MetadataBlock request, Func<Stream, Stream, Task> serve)
    {
        MemoryStream output = await ServeAsync(request, serve);
        BlobReply? reply = await BlobReply.ReadOrErrorAsync<OkReply>(output, default);
        Assert.Equal(output.Length, output.Position); // one reply, nothing after it
        return Assert.IsType<ErrorReply>(reply);
    }
}
