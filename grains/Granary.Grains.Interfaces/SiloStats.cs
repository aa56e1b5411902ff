namespace Granary.Grains;

/// <summary>One silo's counts for <c>granary cluster status</c>.</summary>
/// <param name="Blobs">Complete blobs in its store.</param>
/// <param name="Bytes">Their total size.</param>
/// <param name="RepairBacklog">Its blobs that were short of R copies at its last repair pass; -1 before the first pass.</param>
[GenerateSerializer, Immutable]
public sealed record SiloStats([property: Id(0)] long Blobs, [property: Id(1)] long Bytes, [property: Id(2)] long RepairBacklog);
