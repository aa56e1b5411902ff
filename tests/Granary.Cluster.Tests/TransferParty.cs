using Granary.Blobs.Client;
using Granary.Blobs.Client.Transfers;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Testing;
using Granary.Transfers.Channels;
using Granary.Transfers.Messages;

namespace Granary.Cluster.Tests;

/// <summary>
/// One party of transfer-channel tests: an independent silo (its own data, token and grain state —
/// a cluster of one) with clients of its blobs and transfer protocols, restartable on the same
/// address so the other side's recorded ticket stays right.
/// </summary>
public sealed class TransferParty : IAsyncDisposable
{
    private readonly TempDirectory _data = new();

    private TransferParty(string name) => Name = name;

    public string Name { get; }

    public SiloProcess Silo { get; private set; } = null!;

    public SiloTicket Ticket => Silo.Ticket;

    public string Token => Silo.Token;

    public static async Task<TransferParty> StartAsync(string name, IEnumerable<string>? arguments = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var party = new TransferParty(name);
        party.Silo = await SiloProcess.StartAsync(party._data.Path, cluster: null, extraArguments: arguments, environment: environment);
        return party;
    }

    /// <summary>Starts the silo again on its data and address (after a kill).</summary>
    public async Task RestartAsync()
    {
        string listen = Ticket.Address.ToString();
        await Silo.DisposeAsync();
        Silo = await SiloProcess.StartAsync(_data.Path, cluster: null, listen: listen);
    }

    public Task<TransferClient> TransfersAsync() => TransferClient.ConnectAsync(Ticket, Token);

    /// <summary>Stores <paramref name="size"/> random bytes; returns their hash.</summary>
    public async Task<Blake3Hash> PutRandomAsync(int size, int seed)
    {
        byte[] data = new byte[size];
        new Random(seed).NextBytes(data);
        await using BlobClient client = await BlobClient.ConnectAsync(Ticket, Token);
        using var stream = new MemoryStream(data);
        return (await client.PutAsync(stream, size)).Hash;
    }

    /// <summary>Downloads a blob (verified as it streams) and hashes what arrived.</summary>
    public async Task<Blake3Hash> HashOfStoredAsync(Blake3Hash hash)
    {
        await using BlobClient client = await BlobClient.ConnectAsync(Ticket, Token);
        using var bytes = new MemoryStream();
        await client.GetToStreamAsync(hash, bytes);
        return Blake3.Hash(bytes.GetBuffer().AsSpan(0, (int)bytes.Length));
    }

    public async Task<bool> HasAsync(Blake3Hash hash)
    {
        await using BlobClient client = await BlobClient.ConnectAsync(Ticket, Token);
        try
        {
            await client.InfoAsync(hash);
            return true;
        }
        catch (BlobProtocolException missing) when (missing.Status == BlobStatus.NotFound)
        {
            return false;
        }
    }

    /// <summary>A grant this party issues for <paramref name="counterparty"/>.</summary>
    public async Task<Voucher> GrantAsync(TransferParty counterparty, TransferDirection direction, Blake3Hash hash, long quota, TimeSpan? valid = null)
    {
        await using TransferClient client = await TransfersAsync();
        return await client.IssueGrantAsync(counterparty.Ticket.Node, direction, [hash], quota, DateTimeOffset.UtcNow + (valid ?? TimeSpan.FromHours(1)));
    }

    public async Task<ChannelReport> ShowAsync(ChannelRef channel)
    {
        await using TransferClient client = await TransfersAsync();
        return await client.ShowAsync(channel);
    }

    /// <summary>Polls the channel every 25 ms until <paramref name="condition"/> holds; fails with the last report after <paramref name="timeout"/>.</summary>
    public async Task<ChannelReport> WaitAsync(ChannelRef channel, Func<ChannelReport, bool> condition, string what, TimeSpan? timeout = null)
    {
        await using TransferClient client = await TransfersAsync();
        DateTime end = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        ChannelReport last;
        while (true)
        {
            last = await client.ShowAsync(channel);
            if (condition(last))
            {
                return last;
            }

            if (DateTime.UtcNow > end)
            {
                throw new TimeoutException($"{Name}: channel {channel} never got to '{what}': {last.State.Status}, sent {last.State.Sent}, received {last.State.Received}, '{last.State.Message}'.\n{Silo.Log}");
            }

            await Task.Delay(25);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Silo.DisposeAsync();
        _data.Dispose();
    }
}
