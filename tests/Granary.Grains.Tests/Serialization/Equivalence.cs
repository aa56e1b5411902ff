using System.Collections;
using System.Reflection;

namespace Granary.Grains.Tests.Serialization;

/// <summary>
/// Member-by-member comparison of a value and its round-tripped copy: records holding lists do not
/// compare equal by reference, and exceptions do not compare at all.
/// </summary>
internal static class Equivalence
{
    public static void AssertEquivalent(object? expected, object? actual, string path)
    {
        if (expected is null)
        {
            Assert.True(actual is null, $"{path}: expected null, got {actual}");
            return;
        }

        Assert.True(actual is not null, $"{path}: expected {expected}, got null");
        switch (expected)
        {
            case string:
                Assert.Equal(expected, actual);
                return;
            case ReadOnlyMemory<byte> memory:
                Assert.True(actual is ReadOnlyMemory<byte> back && memory.Span.SequenceEqual(back.Span), $"{path}: the bytes differ");
                return;
            case DateTimeOffset time:
                // Equals compares instants only; the offset must survive too.
                Assert.True(time.EqualsExact((DateTimeOffset)actual), $"{path}: expected {time:O}, got {actual:O}");
                return;
            case IEnumerable sequence:
                {
                    // The runtime type may change (a compiler-made read-only list comes back as another list); the elements may not.
                    Assert.True(actual is IEnumerable, $"{path}: expected a sequence, got {actual.GetType()}");
                    List<object?> want = [.. sequence.Cast<object?>()];
                    List<object?> got = [.. ((IEnumerable)actual).Cast<object?>()];
                    Assert.True(want.Count == got.Count, $"{path}: expected {want.Count} elements, got {got.Count}");
                    for (int i = 0; i < want.Count; i++)
                    {
                        AssertEquivalent(want[i], got[i], $"{path}[{i}]");
                    }

                    return;
                }
        }

        Type type = expected.GetType();
        Assert.True(type == actual.GetType(), $"{path}: expected a {type}, got a {actual.GetType()}");
        if (expected is Exception error)
        {
            var back = (Exception)actual;
            Assert.True(error.Message == back.Message, $"{path}.Message: expected '{error.Message}', got '{back.Message}'");
            AssertEquivalent(error.InnerException, back.InnerException, $"{path}.InnerException");
            CompareDeclaredProperties(expected, actual, path, stopAt: typeof(Exception));
            return;
        }

        if (type.Assembly.GetName().Name!.StartsWith("Granary.", StringComparison.Ordinal)
            && (type.IsDefined(typeof(GenerateSerializerAttribute), inherit: false) || !OverridesEquals(type) || IsRecordClass(type)))
        {
            // Ours: member by member (a record's Equals compares its lists by reference).
            CompareDeclaredProperties(expected, actual, path, stopAt: typeof(object));
            return;
        }

        Assert.True(expected.Equals(actual), $"{path}: expected {expected}, got {actual}");
    }

    /// <summary>A record class (the compiler gives it a <c>&lt;Clone&gt;$</c> method): its Equals compares lists by reference.</summary>
    private static bool IsRecordClass(Type type) => type.GetMethod("<Clone>$") is not null;

    private static bool OverridesEquals(Type type) =>
        type.GetMethod(nameof(Equals), [typeof(object)])!.DeclaringType is { } declaring && declaring != typeof(object) && declaring != typeof(ValueType);

    private static void CompareDeclaredProperties(object expected, object actual, string path, Type stopAt)
    {
        for (Type? level = expected.GetType(); level is not null && level != stopAt; level = level.BaseType)
        {
            foreach (PropertyInfo property in level.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.DeclaredOnly)
                         .Where(p => p.GetIndexParameters().Length == 0 && p.GetMethod is not null))
            {
                AssertEquivalent(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}");
            }
        }
    }
}
