using Granary.Blobs.Protocol;

using Granary.Storage.Blobs;
using Granary.Storage.IO;

// usage: Granary.Storage.CrashHelper STORE_DIR SEED COUNT SIZE
// Imports COUNT blobs of SIZE pseudo-random bytes (from SEED) and prints "ack <hash>" as each is
// acknowledged. The test kills this process at a random moment.
string directory = args[0];
var random = new Random(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
int count = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
int size = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
await using IFileIo io = FileIo.Create();
await using BlobStore store = await BlobStore.OpenAsync(new BlobStoreOptions { Directory = directory }, io);
Console.WriteLine("open");
for (int i = 0; i < count; i++)
{
    byte[] data = new byte[size];
    random.NextBytes(data);
    BlobInfo blob = await store.ImportAsync(new MemoryStream(data), data.Length);
    Console.WriteLine($"ack {blob.Hash}");
}

return 0;
