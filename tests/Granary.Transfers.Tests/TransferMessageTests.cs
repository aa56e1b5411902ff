using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Transfers.Channels;
using Granary.Transfers.Messages;

namespace Granary.Transfers.Tests;

/// <summary>Every transfer message through its framed bytes and back, and the hostile ones refused with a sentence.</summary>
public sealed class TransferMessageTests
{
    private static readonly Voucher Grant = new("granary/grant/1", new byte[] { 1, 2, 3 });

    public static TheoryData<TransferMessage> Messages() =>
    [
        new TransferOpen(7, TransferDirection.Push, Blake3.Hash([1]), 1 << 20, Grant),
        new TransferOpen(ulong.MaxValue >> 1, TransferDirection.Pull, Blake3.Hash([2]), 0, Grant) { IsRestart = true },
        new TransferOpen(13, TransferDirection.Pull, Blake3.Hash([3]), 0, Grant) { Paths = ["logs/a.txt", "data/", "naïve €.txt"] },
        new TransferControl(8, TransferControlKind.Pause),
        new TransferControl(8, TransferControlKind.Cancel) { Message = "the operator stopped it" },
        new TransferControl(8, TransferControlKind.Finish),
        new TransferControl(8, TransferControlKind.Complete) { FromInitiator = false },
        new TransferVoucherMessage(9, Grant),
        new TransferVoucherResultMessage(10, new VoucherResult("granary/grant/1", true, "Granted.")) { DataLimit = 1000, Paused = true, RequiresFinalization = true },
        new TransferVoucherResultMessage(11, new VoucherResult("granary/grant/1", false, "The grant expired.")),
        new TransferVoucherResultMessage(12, new VoucherResult("granary/grant/1", true, "Granted.")) { Size = 5L << 30 },
    ];

    [Theory]
    [MemberData(nameof(Messages))]
    public async Task Each_message_reads_back_as_itself(TransferMessage message)
    {
        using var wire = new MemoryStream(message.ToBlock().ToFrame());
        TransferMessage read = TransferMessage.Parse((await MetadataBlock.ReadAsync(wire, CancellationToken.None))!);
        Assert.Equal(message.ToBlock().ToFrame(), read.ToBlock().ToFrame());
        Assert.Equal(message.GetType(), read.GetType());
        Assert.Equal(message.TransferId, read.TransferId);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_control_says_which_side_sent_it(bool fromInitiator)
    {
        var control = new TransferControl(3, TransferControlKind.Cancel) { FromInitiator = fromInitiator, Message = "stop" };
        using var wire = new MemoryStream(control.ToBlock().ToFrame());
        var read = Assert.IsType<TransferControl>(TransferMessage.Parse((await MetadataBlock.ReadAsync(wire, CancellationToken.None))!));
        Assert.Equal((fromInitiator, TransferControlKind.Cancel, "stop"), (read.FromInitiator, read.Kind, read.Message));
        Assert.Equal(fromInitiator ? "initiator" : "responder", (await Wire.ThroughAsync(control.ToBlock())).Text("from"));
    }

    [Fact]
    public async Task A_control_without_from_is_the_initiator_s_as_before_the_field_existed()
    {
        var read = Assert.IsType<TransferControl>(TransferMessage.Parse(await Wire.ThroughAsync([new("op", "pause"), new("id", 3L)])));
        Assert.True(read.FromInitiator);
    }

    [Fact]
    public async Task A_voucher_result_keeps_its_size_or_its_absence()
    {
        var sized = (TransferVoucherResultMessage)TransferMessage.Parse(await Wire.ThroughAsync(new TransferVoucherResultMessage(1, new VoucherResult("t", true, "ok")) { Size = 0 }.ToBlock()));
        var unsized = (TransferVoucherResultMessage)TransferMessage.Parse(await Wire.ThroughAsync(new TransferVoucherResultMessage(1, new VoucherResult("t", true, "ok")).ToBlock()));
        Assert.Equal(0L, sized.Size);
        Assert.Null(unsized.Size);
        Assert.Null(unsized.DataLimit);
    }

    public static TheoryData<string, Dictionary<string, object>, string> Hostile() => new()
    {
        { "no op", new() { ["id"] = 1L }, "needs an 'op'" },
        { "unknown op", new() { ["op"] = "explode", ["id"] = 1L }, "'explode' is not a transfer message" },
        { "a control op in capitals", new() { ["op"] = "Pause", ["id"] = 1L }, "'Pause' is not a transfer message" },
        { "a numeric op", new() { ["op"] = "1", ["id"] = 1L }, "'1' is not a transfer message" },
        { "negative id", new() { ["op"] = "pause", ["id"] = -1L }, "non-negative 'id'" },
        { "id as text", new() { ["op"] = "pause", ["id"] = "one" }, "'id' must be an integer" },
        { "bad direction", Open(("dir", "sideways")), "'dir' must be push or pull, not 'sideways'" },
        { "short base", Open(("base", new byte[] { 1 })), "'base' must be a 32-byte BLAKE3 hash" },
        { "negative size", Open(("size", -5L)), "'size' must not be negative" },
        { "no voucher", Open(("voucher", null)), "needs a 'voucher'" },
        { "oversized voucher", Open(("voucher", new byte[Voucher.MaxBodyBytes + 1])), "the most accepted is 8192" },
        { "long voucher type", Open(("voucher-type", new string('x', 65))), "1 to 64 characters" },
        { "paths not a list", Open(("paths", "logs/a.txt")), "'paths' must be a list of strings" },
        { "an absolute path", Open(("paths", new List<object> { "/etc/passwd" })), "must be relative" },
        { "a path climbing out", Open(("paths", new List<object> { "a/../../b" })), "no empty, '.' or '..' parts" },
        { "a path named twice", Open(("paths", new List<object> { "a", "a" })), "named twice" },
        { "too many paths", Open(("paths", Enumerable.Range(0, PathSelector.MaxPaths + 1).Select(i => (object)$"f{i}").ToList())), "at most 256 paths" },
        { "an overlong path", Open(("paths", new List<object> { new string('p', PathSelector.MaxPathBytes + 1) })), "longer than 4096 bytes" },
        { "flag out of range", new() { ["op"] = "voucher-result", ["id"] = 1L, ["type"] = "t", ["accepted"] = 2L }, "'accepted' must be 0 or 1, not 2" },
        { "negative limit", new() { ["op"] = "voucher-result", ["id"] = 1L, ["type"] = "t", ["accepted"] = 1L, ["limit"] = -1L }, "'limit' must not be negative" },
        { "negative result size", new() { ["op"] = "voucher-result", ["id"] = 1L, ["type"] = "t", ["accepted"] = 1L, ["size"] = -1L }, "'size' must not be negative (-1)" },
        { "result size as text", new() { ["op"] = "voucher-result", ["id"] = 1L, ["type"] = "t", ["accepted"] = 1L, ["size"] = "big" }, "'size' must be an integer" },
        { "control from neither side", new() { ["op"] = "cancel", ["id"] = 1L, ["from"] = "bystander" }, "'from' must be initiator or responder, not 'bystander'" },
        { "control from in capitals", new() { ["op"] = "pause", ["id"] = 1L, ["from"] = "Responder" }, "'from' must be initiator or responder, not 'Responder'" },
        { "control from as a number", new() { ["op"] = "pause", ["id"] = 1L, ["from"] = 1L }, "'from' must be a string" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task A_hostile_message_is_refused_with_a_sentence_naming_the_field(string name, Dictionary<string, object> fields, string words)
    {
        // Through the wire, as a peer would send it.
        using var wire = new MemoryStream(new MetadataBlock(fields).ToFrame());
        MetadataBlock block = (await MetadataBlock.ReadAsync(wire, CancellationToken.None))!;
        var error = Assert.Throws<TransferProtocolException>(() => TransferMessage.Parse(block));
        Assert.Contains(words, error.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(name));
    }

    private static Dictionary<string, object> Open(params (string Key, object? Value)[] changes) =>
        Wire.Edited(new TransferOpen(1, TransferDirection.Push, Blake3.Hash([1]), 10, Grant).ToBlock(), changes);
}
