using Granary.Blobs.Client.Transfers;
using Granary.Hashing;
using Granary.Testing;
using Granary.Transfers.Channels;
using Granary.Transfers.Messages;
using Xunit.Abstractions;

namespace Granary.Cluster.Tests;

/// <summary>
/// 'granary grant' and 'granary transfer …' as a user runs them (the real executable against real
/// silos): output, exit codes, and sentences for mistakes; and a watch's events, in order.
/// </summary>
public sealed class TransferCommandLineTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TempDirectory _work = new();
    private TransferParty _a = null!;
    private TransferParty _b = null!;

    public async Task InitializeAsync()
    {
        _a = await TransferParty.StartAsync("A");
        _b = await TransferParty.StartAsync("B");
        await File.WriteAllTextAsync(_work.File("a.token"), _a.Token);
        await File.WriteAllTextAsync(_work.File("b.token"), _b.Token);
    }

    public async Task DisposeAsync()
    {
        output.WriteLine(_a.Silo.Log);
        output.WriteLine(_b.Silo.Log);
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        _work.Dispose();
    }

    [Fact]
    public async Task Grant_then_pull_with_wait_completes_and_mistakes_get_sentences_and_exit_codes()
    {
        Blake3Hash hash = await _b.PutRandomAsync(24 << 20, seed: 41);
        string grant = _work.File("for-a.grant");

        ToolResult issued = await RunAsync("grant", hash.ToString(), "--peer", _a.Ticket.Node.ToString(), "--pull", "--quota", "64MiB", "--expires", "2h", "-o", grant, "--silo", _b.Ticket.ToString(), "--token-file", _work.File("b.token"));
        Assert.True(issued.ExitCode == 0, issued.Stderr);
        Assert.StartsWith("granary/grant/1 ", await File.ReadAllTextAsync(grant), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(grant));

        ToolResult pulled = await RunAsync(OnA("transfer", "pull", hash.ToString(), "--from", _b.Ticket.ToString(), "--grant", grant, "--wait"));
        Assert.True(pulled.ExitCode == 0, pulled.Stderr);
        Assert.Contains("Completed, 25,165,824 of 25,165,824 bytes (100.0%)", pulled.StdoutText, StringComparison.Ordinal);
        Assert.Equal(hash, await _a.HashOfStoredAsync(hash));

        // The responder's side is named by the bare id too, as its 'list' shows it (…/ID).
        string id = pulled.StdoutText.Split(' ', ':')[1];
        ToolResult there = await RunAsync("transfer", "show", id, "--silo", _b.Ticket.ToString(), "--token-file", _work.File("b.token"));
        Assert.True(there.ExitCode == 0, there.Stderr);
        Assert.Contains("side:        responder (pull; this side sends)", there.StdoutText, StringComparison.Ordinal);

        ToolResult listed = await RunAsync(OnA("transfer", "list"));
        Assert.Equal(0, listed.ExitCode);
        Assert.Contains($"initiator  pull  Completed", listed.StdoutText, StringComparison.Ordinal);

        // A grant for the other direction: the channel fails with the validator's sentence, exit 1.
        string push = _work.File("push.grant");
        Assert.Equal(0, (await RunAsync("grant", hash.ToString(), "--peer", _a.Ticket.ToString(), "--push", "--quota", "1GB", "-o", push, "--silo", _b.Ticket.ToString(), "--token-file", _work.File("b.token"))).ExitCode);
        ToolResult refused = await RunAsync(OnA("transfer", "pull", hash.ToString(), "--from", _b.Ticket.ToString(), "--grant", push, "--wait"));
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("The grant allows push, not pull.", refused.StdoutText + refused.Stderr, StringComparison.Ordinal);

        var mistakes = new (string[] Arguments, int Exit, string Expected)[]
        {
            (OnA("transfer", "show", "12345"), 1, "keeps no channel 12345"),
            (OnA("transfer", "show", "not-a-channel"), 2, "does not name a channel"),
            (OnA("transfer", "pull", hash.ToString(), "--from", _b.Ticket.ToString()), 2, "the channel needs a voucher"),
            (OnA("transfer", "pull", hash.ToString(), "--from", _b.Ticket.ToString(), "--grant", _work.File("missing.grant")), 2, "missing.grant"),
            (OnA("transfer", "pull", hash.ToString(), "--from", "granary:nonsense", "--grant", grant), 2, "is not a silo ticket"),
            (OnA("transfer", "pull", "abc", "--from", _b.Ticket.ToString(), "--grant", grant), 2, "is not a blob hash"),
            (OnA("grant", hash.ToString(), "--peer", _a.Ticket.Node.ToString(), "--quota", "1GiB"), 2, "--pull or --push"),
            (OnA("grant", hash.ToString(), "--peer", _a.Ticket.Node.ToString(), "--pull", "--quota", "12XB"), 2, "--quota '12XB' is not a byte count"),
            (OnA("grant", hash.ToString(), "--peer", "someone", "--pull", "--quota", "1GiB"), 2, "--peer 'someone' is not a node id"),
            (["transfer", "list", "--silo", _a.Ticket.ToString(), "--token-file", _work.File("b.token")], 3, "wrong token"),
        };
        foreach ((string[] arguments, int exit, string expected) in mistakes)
        {
            ToolResult result = await RunAsync(arguments);
            Assert.True(result.ExitCode == exit && result.Stderr.Contains(expected, StringComparison.Ordinal), $"{string.Join(' ', arguments)}: exit {result.ExitCode}, '{result.Stderr}'");
            Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_watch_delivers_every_event_in_order_with_the_state_at_that_event_until_the_end()
    {
        const int Size = 40 << 20;
        Blake3Hash hash = await _b.PutRandomAsync(Size, seed: 42);
        await using TransferClient a = await _a.TransfersAsync();
        ChannelReport started = await a.StartAsync(TransferDirection.Pull, [_b.Ticket], hash, await _b.GrantAsync(_a, TransferDirection.Pull, hash, 16L << 20));
        var events = new List<ChannelReport>();
        Task watching = Task.Run(async () =>
        {
            await using TransferClient watcher = await _a.TransfersAsync();
            await foreach (ChannelReport report in watcher.WatchAsync(started.Ref))
            {
                events.Add(report);
            }
        });

        await _a.WaitAsync(started.Ref, r => r.State.Status == ChannelStatus.ResponderPaused, "paused at the quota");
        await a.SendVoucherAsync(started.Ref, await _b.GrantAsync(_a, TransferDirection.Pull, hash, Size));
        await watching.WaitAsync(TimeSpan.FromSeconds(60));

        // Numbered one by one from where the watch began, ending at the final state.
        for (int i = 1; i < events.Count; i++)
        {
            Assert.Equal(events[i - 1].Sequence + 1, events[i].Sequence);
        }

        Assert.Equal(ChannelStatus.Completed, events[^1].State.Status);
        Assert.Equal(ChannelEvent.CleanupComplete, events[^1].Event);
        Assert.Contains(events, e => e.Event == ChannelEvent.PauseResponder && e.State.Status == ChannelStatus.ResponderPaused && e.State.Received >= 16L << 20);
        Assert.Contains(events, e => e.Event == ChannelEvent.NewVoucherResult && e.State.Status == ChannelStatus.Ongoing);

        // Each event carries the state at that event: counters never go back.
        long[] received = [.. events.Select(e => e.State.Received)];
        Assert.Equal(received.Order(), received);
    }

    private string[] OnA(params string[] arguments) => [.. arguments, "--silo", _a.Ticket.ToString(), "--token-file", _work.File("a.token")];

    private static Task<ToolResult> RunAsync(params string[] arguments) =>
        SiloProcess.CliAsync([.. arguments]);
}
