using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Granary.Hashing;

/// <summary>A 32-byte BLAKE3 hash: the address of a blob. Printed as 64 lowercase hex digits.</summary>
public readonly struct Blake3Hash : IEquatable<Blake3Hash>
{
    /// <summary>Bytes in a hash.</summary>
    public const int Size = 32;

    private readonly HashBytes _bytes;

    /// <summary>Wraps 32 bytes of hash.</summary>
    public Blake3Hash(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"A BLAKE3 hash is {Size} bytes; got {bytes.Length}.", nameof(bytes));
        }

        bytes.CopyTo(_bytes);
    }

    /// <summary>The hash's bytes, copied into a new array.</summary>
    public byte[] ToArray() => ((ReadOnlySpan<byte>)_bytes).ToArray();

    /// <summary>Copies the hash into <paramref name="destination"/>.</summary>
    public void CopyTo(Span<byte> destination) => ((ReadOnlySpan<byte>)_bytes).CopyTo(destination);

    /// <summary>Parses 64 hex digits (either case).</summary>
    /// <exception cref="FormatException">The text is not 64 hex digits.</exception>
    public static Blake3Hash Parse(string hex)
    {
        if (!TryParse(hex, out var hash))
        {
            throw new FormatException($"'{hex}' is not a BLAKE3 hash: expected 64 hex digits.");
        }

        return hash;
    }

    /// <summary>Parses 64 hex digits (either case); false if the text is anything else.</summary>
    public static bool TryParse(ReadOnlySpan<char> hex, out Blake3Hash hash)
    {
        Span<byte> bytes = stackalloc byte[Size];
        if (hex.Length != 2 * Size || Convert.FromHexString(hex, bytes, out _, out int written) != System.Buffers.OperationStatus.Done || written != Size)
        {
            hash = default;
            return false;
        }

        hash = new Blake3Hash(bytes);
        return true;
    }

    /// <summary>Compares in constant time, so that hashes used as MACs do not leak by timing.</summary>
    public bool Equals(Blake3Hash other) => CryptographicOperations.FixedTimeEquals(_bytes, other._bytes);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Blake3Hash other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => BitConverter.ToInt32(_bytes);

    /// <inheritdoc/>
    public override string ToString() => Convert.ToHexStringLower(_bytes);

    /// <summary>Equality of the 32 bytes.</summary>
    public static bool operator ==(Blake3Hash left, Blake3Hash right) => left.Equals(right);

    /// <summary>Inequality of the 32 bytes.</summary>
    public static bool operator !=(Blake3Hash left, Blake3Hash right) => !left.Equals(right);

    [InlineArray(Size)]
    private struct HashBytes
    {
        private byte _element;
    }
}
