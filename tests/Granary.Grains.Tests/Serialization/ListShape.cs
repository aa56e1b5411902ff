namespace Granary.Grains.Tests.Serialization;

/// <summary>
/// The runtime type a sample gives a member declared as an interface list (<c>IReadOnlyList&lt;T&gt;</c>):
/// grain code builds such values with collection expressions, whose types the compiler synthesises.
/// </summary>
public enum ListShape
{
    /// <summary>A <see cref="List{T}"/>.</summary>
    List,

    /// <summary>An array.</summary>
    Array,

    /// <summary><c>[.. items]</c> over an enumerable of unknown length (the compiler's <c>&lt;&gt;z__ReadOnlyList</c>), as in <c>[.. Providers()]</c>.</summary>
    Spread,

    /// <summary><c>[a, b]</c> (the compiler's <c>&lt;&gt;z__ReadOnlyArray</c>).</summary>
    Literal,

    /// <summary><c>[a]</c> (the compiler's <c>&lt;&gt;z__ReadOnlySingleElementList</c>).</summary>
    SingleElement,
}
