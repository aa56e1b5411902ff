using System.Runtime.InteropServices;

namespace Granary.Cli.Silo;

/// <summary>
/// Caps glibc's malloc arenas for the silo process. glibc gives threads up to 8 arenas per core,
/// and memory freed in one arena is not reused by threads of another. The cap was set when the
/// QUIC library's buffers still came from glibc (16 concurrent 1 GiB transfers peaked at 270 MB
/// with the default and 243 MB with 2 arenas; bench/RESULTS.md, issue 17); they now come from the
/// library's own jemalloc (native/src/alloc.rs), and the cap still keeps what remains on glibc
/// (the runtime's own native allocations, SQLite's and OpenSSL's) from spreading over
/// per-thread arenas. The same as MALLOC_ARENA_MAX=2, without relying on the environment. Does
/// nothing where the C library is not glibc.
/// </summary>
internal static partial class MallocArenas
{
    /// <summary>mallopt's M_ARENA_MAX (malloc.h).</summary>
    private const int ArenaMax = -8;

    /// <summary>Arenas the silo uses: one for the .NET side's native calls, one for the QUIC runtime.</summary>
    public const int SiloArenas = 2;

    /// <summary>
    /// Sets the most arenas to <paramref name="arenas"/> (at least 1) before the silo's threads
    /// start allocating; returns whether the C library took it.
    /// </summary>
    public static bool Limit(int arenas)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(arenas, 1);
        try
        {
            return MallOpt(ArenaMax, arenas) == 1;
        }
        catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // musl and others have no mallopt, and no per-thread arenas to cap
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int MallOpt(int parameter, int value);
}
