using Granary.Blobs.Client.Transfers;
using Granary.Examples.Validators;
using Granary.Hashing;
using Granary.Testing;
using Granary.Transfers.Channels;
using Granary.Transfers.Messages;
using Xunit.Abstractions;

namespace Granary.Cluster.Tests;

/// <summary>
/// An operator's own voucher type, loaded into a silo with <c>--voucher-validator</c>: the
/// documented example (examples/Granary.Examples.Validators) accepts listed nodes and refuses the
/// others with its own sentence; a bad assembly stops the silo with a sentence naming it.
/// </summary>
public sealed class CustomVoucherTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_example_allow_list_validator_accepts_a_listed_node_and_refuses_another()
    {
        using var config = new TempDirectory();
        string list = config.File("allow.list");
        await using TransferParty a = await TransferParty.StartAsync("A");
        await using TransferParty stranger = await TransferParty.StartAsync("C");
        await File.WriteAllTextAsync(list, $"# partners\n{a.Ticket.Node}  # site A\n");
        string assembly = typeof(NodeAllowListValidator).Assembly.Location;
        await using TransferParty b = await TransferParty.StartAsync("B", ["--voucher-validator", assembly], new Dictionary<string, string> { [NodeAllowListValidator.ListVariable] = list });
        try
        {
            Assert.Contains("Voucher type example/allow-list/1", b.Silo.Log, StringComparison.Ordinal);
            Blake3Hash hash = await b.PutRandomAsync(3 << 20, seed: 21);
            var voucher = new Voucher(NodeAllowListValidator.Type, ReadOnlyMemory<byte>.Empty);

            await using (TransferClient client = await a.TransfersAsync())
            {
                ChannelReport pulled = await client.StartAsync(TransferDirection.Pull, [b.Ticket], hash, voucher);
                Assert.Equal(ChannelStatus.Completed, (await a.WaitAsync(pulled.Ref, r => r.State.IsFinal, "final")).State.Status);
                Assert.Equal(hash, await a.HashOfStoredAsync(hash));
            }

            await using (TransferClient client = await stranger.TransfersAsync())
            {
                ChannelReport refused = await client.StartAsync(TransferDirection.Pull, [b.Ticket], hash, voucher);
                Assert.Equal(ChannelStatus.Failed, refused.State.Status);
                Assert.Contains("is not on the allow list (allow.list)", refused.State.Message, StringComparison.Ordinal);
            }
        }
        finally
        {
            output.WriteLine(b.Silo.Log);
        }
    }

    [Fact]
    public async Task An_assembly_without_validators_stops_the_silo_with_a_sentence_naming_it()
    {
        using var data = new TempDirectory();
        string notValidators = typeof(Blake3Hash).Assembly.Location;
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SiloProcess.StartAsync(data.Path, cluster: null, extraArguments: ["--voucher-validator", notValidators]));
        Assert.Contains($"--voucher-validator {notValidators}: the assembly exports no public IVoucherValidator", error.Message, StringComparison.Ordinal);
    }
}
