using System.Globalization;
using System.Text;
using Granary.Blobs.Protocol;
using Granary.Grains.Runtime;

namespace Granary.Grains.Tests;

/// <summary>
/// A grain whose state is a counter: every "add" reads-modifies-writes it through the real
/// versioned store. If two activations ever ran at once, their writes would collide (one fails)
/// or, if the fence were broken, the final count would come out short.
/// </summary>
internal sealed class CounterGrain : Grain
{
    public const string TypeName = "counter";

    private PersistentState<long> _count = null!;
    private int _inTurn;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _count = State(() => 0L, v => Encoding.ASCII.GetBytes(v.ToString(CultureInfo.InvariantCulture)), b => long.Parse(Encoding.ASCII.GetString(b), CultureInfo.InvariantCulture));
        await _count.ReadAsync(cancellationToken);
    }

    public override async Task<BlobMessage> InvokeAsync(string method, BlobMessage arguments, CancellationToken cancellationToken)
    {
        // Turn-based: no two turns of one activation overlap, so this never sees another turn.
        if (Interlocked.Increment(ref _inTurn) != 1)
        {
            throw new InvalidOperationException("two turns ran at once");
        }

        try
        {
            switch (method)
            {
                case "add":
                    long before = _count.Value;
                    await Task.Yield();
                    _count.Value = before + (arguments.Number("by") ?? 1);
                    await _count.WriteAsync(cancellationToken);
                    return BlobMessage.Reply(200, null, ("count", _count.Value), ("silo", Runtime.Self.ToString()));
                case "get":
                    return BlobMessage.Reply(200, null, ("count", _count.Value), ("silo", Runtime.Self.ToString()));
                case "slow":
                    await Task.Delay(TimeSpan.FromSeconds(arguments.Number("seconds") ?? 30), cancellationToken);
                    return BlobMessage.Reply(200);
                default:
                    throw new BlobProtocolException(BlobStatus.UnknownOperation, $"no method {method}");
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inTurn);
        }
    }
}

/// <summary>A grain with a timer that notifies its subscribers on every tick (the shape transfer channels and gossip topics need).</summary>
internal sealed class TickerGrain : Grain
{
    public const string TypeName = "ticker";

    private readonly List<ObserverReference> _subscribers = [];
    private long _ticks;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        RegisterTimer(TickAsync, TimeSpan.FromMilliseconds(100));
        return Task.CompletedTask;
    }

    public override Task<BlobMessage> InvokeAsync(string method, BlobMessage arguments, CancellationToken cancellationToken)
    {
        if (method == "subscribe")
        {
            _subscribers.Add(ObserverReference.Parse(arguments.Text("observer")!));
        }

        return Task.FromResult(BlobMessage.Reply(200, null, ("ticks", _ticks)));
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        _ticks++;
        foreach (ObserverReference subscriber in _subscribers.ToList())
        {
            if (!await Runtime.NotifyAsync(subscriber, new BlobMessage([new("tick", _ticks), new("grain", Id.ToString())]), cancellationToken))
            {
                _subscribers.Remove(subscriber);
            }
        }
    }
}
