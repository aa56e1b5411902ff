namespace Granary.Transfers.Channels;

/// <summary>
/// What <see cref="ChannelStateMachine.Apply"/> made of one event: the channel's new state, or,
/// when the event is not allowed in the current status, the unchanged state and a sentence saying
/// why (a refused event is an expected outcome — e.g. a late resume after a cancel — not an exception).
/// </summary>
/// <param name="State">The state after the event (the same state if refused).</param>
/// <param name="Refusal">Null if applied; else why the event does not apply.</param>
public sealed record ChannelStep(ChannelState State, string? Refusal)
{
    /// <summary>True if the event applied.</summary>
    public bool Applied => Refusal is null;
}
