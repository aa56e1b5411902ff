using Granary.Blobs.Protocol;

namespace Granary.Fuzz.Tests;

/// <summary>
/// One way a parser's XML docs say it refuses input: an exception type (matched exactly, not by
/// base class, so a <see cref="FormatException"/> rule does not let a stray subclass through) and,
/// for <see cref="BlobProtocolException"/>, the statuses it may carry.
/// </summary>
/// <param name="Type">The exception type the docs name.</param>
/// <param name="Statuses">For a <see cref="BlobProtocolException"/>: the statuses allowed; null for any.</param>
public sealed record Rejection(Type Type, IReadOnlySet<BlobStatus>? Statuses = null)
{
    /// <summary>Exactly <typeparamref name="T"/>.</summary>
    public static Rejection Of<T>()
        where T : Exception => new(typeof(T));

    /// <summary>A <see cref="BlobProtocolException"/> with one of <paramref name="statuses"/>.</summary>
    public static Rejection Status(params BlobStatus[] statuses) => new(typeof(BlobProtocolException), statuses.ToHashSet());

    /// <summary>True if <paramref name="error"/> is this documented refusal.</summary>
    public bool Matches(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.GetType() == Type && (Statuses is null || (error is BlobProtocolException refusal && Statuses.Contains(refusal.Status)));
    }

    /// <inheritdoc/>
    public override string ToString() => Statuses is null ? Type.Name : $"{Type.Name}({string.Join("/", Statuses.Select(s => (int)s))})";
}
