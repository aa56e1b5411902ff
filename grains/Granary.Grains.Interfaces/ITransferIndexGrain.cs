namespace Granary.Grains;

/// <summary>
/// The channels a cluster keeps (one grain, key <see cref="Key"/>): the keys of every channel
/// side opened here, oldest first, so that <c>list</c> can find them and a silo that starts can
/// resume the ones it drives. Grain storage has no scan; this is the index.
/// </summary>
public interface ITransferIndexGrain : IGrainWithStringKey
{
    /// <summary>The one index's key.</summary>
    public const string Key = "cluster";

    /// <summary>The most keys kept: the oldest are forgotten beyond 10,000 (their grains stay).</summary>
    public const int MaxKeys = 10_000;

    /// <summary>Adds a channel's key (written before this returns); adding it again does nothing.</summary>
    Task AddAsync(string key);

    /// <summary>Every key, oldest first.</summary>
    Task<IReadOnlyList<string>> ListAsync();
}
