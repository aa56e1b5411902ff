namespace Granary.Grains.Membership;

/// <summary>
/// How silos watch each other. The defaults detect a dead silo in about 4-6 s on a LAN: probes
/// every second, three missed in a row make a suspicion, two silos' fresh suspicions (one when
/// only two silos are left) declare it dead. Orleans' defaults are slower (5 s probe timeout,
/// 60 s table refresh) because they target larger, busier clusters.
/// </summary>
public sealed class MembershipOptions
{
    /// <summary>How often the table is re-read (view changes reach every silo within this).</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a silo writes its alive time.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often each silo probes its successors on the ring.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a probe may take before it counts as missed.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Missed probes in a row before this silo votes the target dead.</summary>
    public int MissedProbesToSuspect { get; set; } = 3;

    /// <summary>Votes from distinct silos that declare a silo dead (capped at the number of other serving silos).</summary>
    public int VotesToDeclareDead { get; set; } = 2;

    /// <summary>How long a vote stays fresh.</summary>
    public TimeSpan SuspicionWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How many ring successors each silo probes.</summary>
    public int ProbedSilos { get; set; } = 10;

    /// <summary>
    /// A silo whose alive time is older than this is declared dead on one vote: after a whole
    /// cluster restart there may be too few live silos to out-vote the stale rows.
    /// </summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromSeconds(30);
}
