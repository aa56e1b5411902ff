using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using Granary.Transport;
using Microsoft.Win32.SafeHandles;

namespace Granary.Bench;

/// <summary>
/// Bulk transfer over Granary's QUIC transport, as two processes like the anchors:
///   quic-serve FILE PORT STREAMS   serves ranges of FILE; exits after STREAMS streams, printing its peak RSS
///   quic-fetch ADDRESS NODE BYTES STREAMS   fetches BYTES split over STREAMS parallel streams, discarding them
/// A request is 16 bytes (offset, length, little-endian); the reply is that range of the file, then FIN.
/// </summary>
internal static class QuicBench
{
    private const string Alpn = "granary/bench-file/1";

    public static async Task<int> RunAsync(string[] args)
    {
        switch (args)
        {
            case ["quic-serve", var file, var port, var streams]:
                return await ServeAsync(file, int.Parse(port, System.Globalization.CultureInfo.InvariantCulture), int.Parse(streams, System.Globalization.CultureInfo.InvariantCulture));
            case ["quic-fetch", var address, var node, var bytes, var streams]:
                return await FetchAsync(IPEndPoint.Parse(address), NodeId.Parse(node), long.Parse(bytes, System.Globalization.CultureInfo.InvariantCulture), int.Parse(streams, System.Globalization.CultureInfo.InvariantCulture));
            default:
                Console.Error.WriteLine("usage: quic-serve FILE PORT STREAMS | quic-fetch ADDRESS NODE BYTES STREAMS");
                return 2;
        }
    }

    /// <summary>Defaults, except the packet size when GRANARY_BENCH_UDP_PAYLOAD is set.</summary>
    private static QuicTransportOptions Transport() =>
        int.TryParse(Environment.GetEnvironmentVariable("GRANARY_BENCH_UDP_PAYLOAD"), out int payload)
            ? new QuicTransportOptions { InitialMaxUdpPayloadSize = payload }
            : new QuicTransportOptions();

    private static long PeakRssKiB()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return -1;
    }

    private static async Task<int> ServeAsync(string file, int port, int streams)
    {
        using var identity = NodeIdentity.CreateEphemeral();
        using SafeFileHandle handle = File.OpenHandle(file);
        var handler = new FileRangeHandler(handle, streams);
        await using var router = ProtocolRouter.Start(
            new QuicEndpointOptions { Identity = identity, Bind = new IPEndPoint(IPAddress.Loopback, port), Transport = Transport() },
            new Dictionary<string, IProtocolHandler> { [Alpn] = handler });
        Console.WriteLine($"ready {router.Endpoint.LocalEndPoint} {identity.Id}");
        await handler.AllServed;
        Console.WriteLine($"server peak RSS {PeakRssKiB()} KiB");
        return 0;
    }

    private static async Task<int> FetchAsync(IPEndPoint address, NodeId node, long bytes, int streams)
    {
        using var identity = NodeIdentity.CreateEphemeral();
        await using var endpoint = QuicEndpoint.Bind(new QuicEndpointOptions { Identity = identity, Transport = Transport() });

        // Timed from the connect to the last byte: the anchors' clients start in milliseconds,
        // a .NET process does not, and start-up is not transfer.
        var clock = Stopwatch.StartNew();
        await using QuicConnection connection = await endpoint.ConnectAsync(address, node, Alpn);
        long share = bytes / streams;
        long[] received = await Task.WhenAll(Enumerable.Range(0, streams).Select(async i =>
        {
            await using QuicStream stream = await connection.OpenBidirectionalStreamAsync();
            byte[] request = new byte[16];
            BinaryPrimitives.WriteInt64LittleEndian(request, i * share);
            BinaryPrimitives.WriteInt64LittleEndian(request.AsSpan(8), i == streams - 1 ? bytes - (i * share) : share);
            await stream.WriteAsync(request);
            stream.CompleteWrites();
            byte[] buffer = new byte[1 << 20];
            long total = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                total += read;
            }

            return total;
        }));
        double seconds = clock.Elapsed.TotalSeconds;
        if (received.Sum() != bytes)
        {
            Console.Error.WriteLine($"received {received.Sum()} bytes, expected {bytes}");
            return 1;
        }

        Console.WriteLine($"granary {streams} stream(s): {seconds:F4} s {bytes / seconds / 1e9:F2} GB/s, client peak RSS {PeakRssKiB()} KiB");
        return 0;
    }

    private sealed class FileRangeHandler(SafeFileHandle file, int streams) : IProtocolHandler
    {
        private readonly TaskCompletionSource _allServed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _served;

        public Task AllServed => _allServed.Task;

        public async Task HandleConnectionAsync(QuicConnection connection, CancellationToken shutdown)
        {
            var running = new List<Task>();
            while (!_allServed.Task.IsCompleted)
            {
                QuicStream stream;
                try
                {
                    stream = await connection.AcceptBidirectionalStreamAsync(shutdown);
                }
                catch (QuicException)
                {
                    break;
                }

                running.Add(ServeStreamAsync(stream, shutdown));
            }

            await Task.WhenAll(running);
        }

        private async Task ServeStreamAsync(QuicStream stream, CancellationToken shutdown)
        {
            await using (stream)
            {
                byte[] request = new byte[16];
                await stream.ReadExactlyAsync(request, shutdown);
                long offset = BinaryPrimitives.ReadInt64LittleEndian(request);
                long length = BinaryPrimitives.ReadInt64LittleEndian(request.AsSpan(8));
                byte[] buffer = new byte[1 << 20];
                for (long sent = 0; sent < length;)
                {
                    int n = RandomAccess.Read(file, buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - sent)), offset + sent);
                    await stream.WriteAsync(buffer.AsMemory(0, n), shutdown);
                    sent += n;
                }

                stream.CompleteWrites();
                await stream.WritesClosed;
            }

            if (Interlocked.Increment(ref _served) == streams)
            {
                _allServed.TrySetResult();
            }
        }
    }
}
