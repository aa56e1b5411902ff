using System.Net;
using Granary.Testing;

namespace Granary.Cluster.Tests;

/// <summary>
/// What an OpenTelemetry collector is to a silo, reduced to what the tests read: an OTLP/HTTP
/// endpoint on 127.0.0.1 that answers 200 and keeps each exported trace batch (protobuf, as sent).
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<byte[]> _traces = [];
    private readonly Task _receiving;

    public OtlpReceiver()
    {
        Endpoint = $"http://127.0.0.1:{FreePorts.Tcp()}";
        _listener.Prefixes.Add(Endpoint + "/");
        _listener.Start();
        _receiving = ReceiveAsync();
    }

    /// <summary>The base address for <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (the exporter adds <c>/v1/traces</c>).</summary>
    public string Endpoint { get; }

    /// <summary>The variables that point a silo's exporter here, batches every 0.5 s.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint,
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "500",
    };

    /// <summary>The trace batches received so far.</summary>
    public IReadOnlyList<byte[]> Traces
    {
        get
        {
            lock (_traces)
            {
                return [.. _traces];
            }
        }
    }

    /// <summary>
    /// The trace id of a span named <paramref name="name"/>, read from the protobuf without a schema:
    /// an OTLP span starts with field 1 (trace id, 16 bytes) and field 2 (span id, 8 bytes), and its
    /// name (field 5) follows; null if no such span arrived.
    /// </summary>
    public byte[]? TraceIdOf(string name)
    {
        byte[] text = System.Text.Encoding.UTF8.GetBytes(name);
        foreach (byte[] batch in Traces)
        {
            int at = batch.AsSpan().IndexOf(text);
            for (int k = at - 1; at > 0 && k >= 0; k--)
            {
                if (k + 20 <= batch.Length && batch[k] == 0x0A && batch[k + 1] == 0x10 && batch[k + 18] == 0x12 && batch[k + 19] == 0x08)
                {
                    return batch[(k + 2)..(k + 18)];
                }
            }
        }

        return null;
    }

    /// <summary>True if any batch holds <paramref name="bytes"/> (a trace id, a span name as UTF-8).</summary>
    public bool Holds(ReadOnlySpan<byte> bytes)
    {
        foreach (byte[] batch in Traces)
        {
            if (batch.AsSpan().IndexOf(bytes) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _receiving;
        _listener.Close();
    }

    private async Task ReceiveAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext request;
            try
            {
                request = await _listener.GetContextAsync();
            }
            catch (Exception error) when (error is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            await request.Request.InputStream.CopyToAsync(body);
            if (request.Request.Url!.AbsolutePath == "/v1/traces")
            {
                lock (_traces)
                {
                    _traces.Add(body.ToArray());
                }
            }

            request.Response.StatusCode = 200;
            request.Response.Close();
        }
    }
}
