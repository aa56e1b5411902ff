using System.Runtime.InteropServices;

namespace Granary.Storage.IO.IoUring;

/// <summary>
/// The io_uring kernel interface (include/uapi/linux/io_uring.h), called directly: liburing's
/// submission helpers are inline C functions and cannot be called from .NET.
/// </summary>
internal static unsafe partial class IoUringInterop
{
    // x86-64 system call numbers.
    public const long SysIoUringSetup = 425;
    public const long SysIoUringEnter = 426;

    public const uint EnterGetEvents = 1;
    public const uint FeatureSingleMmap = 1;

    public const long OffsetSqRing = 0;
    public const long OffsetCqRing = 0x8000000;
    public const long OffsetSqes = 0x10000000;

    public const byte OpNop = 0;
    public const byte OpFsync = 3;
    public const byte OpRead = 22;
    public const byte OpWrite = 23;

    public const int ProtRead = 1;
    public const int ProtWrite = 2;
    public const int MapShared = 1;
    public const int MapPopulate = 0x8000;

    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int EBUSY = 16;

    [StructLayout(LayoutKind.Sequential)]
    public struct SqRingOffsets
    {
        public uint Head, Tail, RingMask, RingEntries, Flags, Dropped, Array, Reserved1;
        public ulong UserAddress;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct CqRingOffsets
    {
        public uint Head, Tail, RingMask, RingEntries, Overflow, Cqes, Flags, Reserved1;
        public ulong UserAddress;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Params
    {
        public uint SqEntries, CqEntries, Flags, SqThreadCpu, SqThreadIdle, Features, WqFd;
        public fixed uint Reserved[3];
        public SqRingOffsets SqOffsets;
        public CqRingOffsets CqOffsets;
    }

    /// <summary>One submission queue entry (64 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    public struct Sqe
    {
        [FieldOffset(0)] public byte Opcode;
        [FieldOffset(1)] public byte Flags;
        [FieldOffset(2)] public ushort IoPriority;
        [FieldOffset(4)] public int Fd;
        [FieldOffset(8)] public ulong Offset;
        [FieldOffset(16)] public ulong Address;
        [FieldOffset(24)] public uint Length;
        [FieldOffset(28)] public uint OpFlags;
        [FieldOffset(32)] public ulong UserData;
        [FieldOffset(40)] public ulong Rest0;
        [FieldOffset(48)] public ulong Rest1;
        [FieldOffset(56)] public ulong Rest2;
    }

    /// <summary>One completion queue entry (16 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Cqe
    {
        public ulong UserData;
        public int Result;
        public uint Flags;
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    public static partial long SyscallSetup(long number, uint entries, Params* parameters);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    public static partial long SyscallEnter(long number, int fd, uint toSubmit, uint minComplete, uint flags, nint signals, nuint signalsSize);

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(nint address, nuint length);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}
