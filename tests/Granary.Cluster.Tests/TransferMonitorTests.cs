using Granary.Blobs.Client.Transfers;
using Granary.Hashing;
using Granary.Transfers.Channels;
using Granary.Transfers.Messages;
using Xunit.Abstractions;

namespace Granary.Cluster.Tests;

/// <summary>
/// The sending side's monitor (go-data-transfer's complete timeout): a receiver that stops asking
/// fails the channel on the sender after --transfer-inactivity-timeout, and once the receiver is
/// back it learns the channel is over (the sender's cancel, or a refused piece) instead of asking for ever.
/// </summary>
public sealed class TransferMonitorTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_push_whose_receiver_freezes_fails_on_the_sender_after_the_inactivity_timeout_and_then_on_the_receiver()
    {
        await using TransferParty a = await TransferParty.StartAsync("A", ["--transfer-inactivity-timeout", "3s"]);
        await using TransferParty b = await TransferParty.StartAsync("B");
        try
        {
            const int Size = 256 << 20;
            Blake3Hash hash = await a.PutRandomAsync(Size, seed: 51);
            await using TransferClient client = await a.TransfersAsync();
            ChannelRef channel = (await client.StartAsync(TransferDirection.Push, [b.Ticket], hash, await b.GrantAsync(a, TransferDirection.Push, hash, Size))).Ref;

            // Frozen the moment B has answered the open, not once data is seen moving: 256 MiB
            // crosses loopback in well under a second and could be done before the freeze.
            b.Silo.Freeze();
            ChannelReport failed;
            try
            {
                failed = await a.WaitAsync(channel, r => r.State.IsFinal, "failed on the sender", TimeSpan.FromSeconds(30));
            }
            finally
            {
                b.Silo.Thaw();
            }

            Assert.Equal(ChannelStatus.Failed, failed.State.Status);
            Assert.Contains("asked for no data and did not complete for 3 s", failed.State.Message, StringComparison.Ordinal);

            ChannelReport there = await b.WaitAsync(new ChannelRef(channel.TransferId, a.Ticket.Node), r => r.State.IsFinal, "final on the receiver", TimeSpan.FromSeconds(60));
            // Told by the sender's cancel once it could hear again, or by the refusal of its next piece.
            Assert.True(
                (there.State.Status == ChannelStatus.Cancelled && there.State.Message.Contains("asked for no data", StringComparison.Ordinal))
                || (there.State.Status == ChannelStatus.Failed && there.State.Message.Contains("Failed on the sending side", StringComparison.Ordinal)),
                $"{there.State.Status}: {there.State.Message}");
            Assert.False(await b.HasAsync(hash));
        }
        finally
        {
            output.WriteLine(a.Silo.Log);
            output.WriteLine(b.Silo.Log);
        }
    }
}
