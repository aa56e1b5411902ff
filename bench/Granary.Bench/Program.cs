using System.Diagnostics;
using Granary.Hashing;
using Granary.Hashing.Verified;

// Verified streaming over one file: outboard creation (one pass), whole-blob encoding from
// data + outboard, and verified decoding of that encoding. Prints GB/s per phase and the
// process's peak RSS, which must not depend on the file's size.
if (args.Length > 0 && args[0].StartsWith("blobs-", StringComparison.Ordinal))
{
    return await Granary.Bench.BlobsBench.RunAsync(args);
}

if (args.Length > 0 && args[0].StartsWith("cluster-", StringComparison.Ordinal))
{
    return await Granary.Bench.ClusterBench.RunAsync(args);
}

if (args.Length > 0 && args[0].StartsWith("quic-", StringComparison.Ordinal))
{
    return await Granary.Bench.QuicBench.RunAsync(args);
}

if (args.Length > 0 && args[0].StartsWith("transfer-", StringComparison.Ordinal))
{
    return await Granary.Bench.TransferBench.RunAsync(args);
}

if (args.Length > 0 && args[0] == "gossip-sim")
{
    return Granary.Bench.GossipBench.Run(args);
}

if (args.Length > 0 && args[0] == "gossip-net")
{
    return await Granary.Bench.GossipNetBench.RunAsync();
}

if (args.Length != 2 || args[0] != "verified")
{
    Console.Error.WriteLine("usage: Granary.Bench verified FILE | quic-serve ... | quic-fetch ...");
    return 2;
}

string path = args[1];
long size = new FileInfo(path).Length;
string outboardPath = path + ".obao";
string encodedPath = path + ".enc";

static FileStream Open(string path, FileMode mode) =>
    new(path, mode, mode == FileMode.Open ? FileAccess.Read : FileAccess.ReadWrite, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);

var clock = Stopwatch.StartNew();
Blake3Hash root;
await using (var data = Open(path, FileMode.Open))
await using (var outboard = Open(outboardPath, FileMode.Create))
{
    (root, _) = await BaoOutboardBuilder.CreateAsync(data, outboard);
}

Report("outboard create", clock.Elapsed, size);

clock.Restart();
await using (var data = Open(path, FileMode.Open))
await using (var outboard = Open(outboardPath, FileMode.Open))
{
    // Into Stream.Null: the encoder's own cost (reads + assembly), not the disk's write speed.
    await BaoEncoder.EncodeAsync(
        new FileRandomAccessStorage(data.SafeFileHandle), new FileRandomAccessStorage(outboard.SafeFileHandle), size, ChunkRanges.All, Stream.Null);
}

Report("encode", clock.Elapsed, size);

// The decoder reads an encoding from a file, written here untimed.
await using (var data = Open(path, FileMode.Open))
await using (var outboard = Open(outboardPath, FileMode.Open))
await using (var encoded = Open(encodedPath, FileMode.Create))
{
    await BaoEncoder.EncodeAsync(
        new FileRandomAccessStorage(data.SafeFileHandle), new FileRandomAccessStorage(outboard.SafeFileHandle), size, ChunkRanges.All, encoded);
}

clock.Restart();
await using (var encoded = Open(encodedPath, FileMode.Open))
{
    await BaoDecoder.DecodeToStreamAsync(encoded, root, size, ChunkRanges.All, Stream.Null);
}

Report("decode+verify", clock.Elapsed, size);
Console.WriteLine($"root {root}");
Console.WriteLine($"peak RSS {Environment.WorkingSet / 1024} KiB now, {Process.GetCurrentProcess().PeakWorkingSet64 / 1024} KiB peak");
File.Delete(encodedPath);
File.Delete(outboardPath);
return 0;

static void Report(string phase, TimeSpan elapsed, long bytes) =>
    Console.WriteLine($"{phase,-18} {elapsed.TotalSeconds,8:F3} s {bytes / elapsed.TotalSeconds / 1e9,8:F2} GB/s");
