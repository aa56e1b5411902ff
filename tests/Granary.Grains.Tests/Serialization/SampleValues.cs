using System.Collections;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Transport;

namespace Granary.Grains.Tests.Serialization;

/// <summary>
/// Values with non-default content for the types that cross silos: every member marked <c>[Id]</c>
/// gets a value that differs from its default, so a codec that drops a member cannot round-trip it.
/// A type it has no rule for is refused with its name (add a rule; do not skip the type).
/// </summary>
internal static class SampleValues
{
    /// <summary>The serializable types of the grain contracts and grains: every <c>[GenerateSerializer]</c> type in their assemblies.</summary>
    public static IReadOnlyList<Type> GeneratedSerializerTypes { get; } =
        [.. new[] { typeof(BlobFacts).Assembly, typeof(Granary.Grains.Blobs.BlobGrain).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => t.IsDefined(typeof(GenerateSerializerAttribute), inherit: false))
            .OrderBy(t => t.FullName, StringComparer.Ordinal)];

    /// <summary>The interfaces silos call each other through.</summary>
    public static IReadOnlyList<Type> GrainInterfaces { get; } =
        [.. typeof(BlobFacts).Assembly.GetTypes()
            .Where(t => t.IsInterface && t.IsPublic && typeof(IGrain).IsAssignableFrom(t))
            .OrderBy(t => t.FullName, StringComparer.Ordinal)];

    /// <summary>A value of <paramref name="type"/>; <paramref name="variant"/> makes siblings differ (list elements).</summary>
    public static object Create(Type type, ListShape shape, int variant = 0)
    {
        ArgumentNullException.ThrowIfNull(type);
        string suffix = variant.ToString(CultureInfo.InvariantCulture);
        if (type == typeof(string))
        {
            return $"tags: a=1, ümlaut ✓ #{suffix}";
        }

        if (type == typeof(long))
        {
            return 1_234_567_890_123L + variant;
        }

        if (type == typeof(int))
        {
            return 4_242 + variant;
        }

        if (type == typeof(bool))
        {
            return true;
        }

        if (type == typeof(DateTimeOffset))
        {
            // A non-UTC offset and sub-second precision: both must survive.
            return new DateTimeOffset(2031, 5, 6, 7, 8, 9, 123, TimeSpan.FromHours(2)).AddTicks(4_567 + variant);
        }

        if (type == typeof(TimeSpan))
        {
            return TimeSpan.FromMinutes(90) + TimeSpan.FromTicks(variant);
        }

        if (type == typeof(Blake3Hash))
        {
            return Blake3.Hash(Encoding.UTF8.GetBytes($"granary sample {suffix}"));
        }

        if (type == typeof(NodeId))
        {
            return NodeId.FromPublicKey(Encoding.UTF8.GetBytes($"sample public key {suffix}"));
        }

        if (type == typeof(SiloTicket))
        {
            // Odd variants on IPv6: the ticket's text form brackets the address.
            IPAddress address = variant % 2 == 0 ? IPAddress.Parse("10.1.2.3") : IPAddress.Parse("fd00::17");
            return new SiloTicket((NodeId)Create(typeof(NodeId), shape, variant), new IPEndPoint(address, 4_433 + variant));
        }

        if (type == typeof(SiloAddress))
        {
            return SiloAddress.New(IPAddress.Parse("10.1.2.3"), 11_111 + variant, 123_456_789 + variant);
        }

        if (type == typeof(ulong))
        {
            // Above long.MaxValue: a codec that goes through a signed long loses it.
            return ulong.MaxValue - (ulong)variant;
        }

        if (type == typeof(byte[]))
        {
            return Encoding.UTF8.GetBytes($"sample bytes {suffix}");
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Create(underlying, shape, variant);
        }

        if (type.IsEnum)
        {
            // The last member: a default (first) value could hide a codec that drops it.
            Array members = Enum.GetValues(type);
            return members.GetValue(members.Length - 1 - (variant % members.Length))!;
        }

        if (type == typeof(ReadOnlyMemory<byte>))
        {
            return new ReadOnlyMemory<byte>(Encoding.UTF8.GetBytes($"sample bytes {suffix}"));
        }

        if (SurrogateOf(type) is var (surrogate, converter))
        {
            // A type Orleans carries through a surrogate: a full surrogate, converted back.
            return converter.GetType().GetMethod("ConvertFromSurrogate")!.Invoke(converter, [Create(surrogate, shape, variant)])!;
        }

        if (type == typeof(Exception))
        {
            return Thrown(new InvalidOperationException($"the cause {suffix}"));
        }

        if (type.IsArray)
        {
            Type element = type.GetElementType()!;
            var array = Array.CreateInstance(element, 2);
            array.SetValue(Create(element, shape, variant + 1), 0);
            array.SetValue(Create(element, shape, variant + 2), 1);
            return array;
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            return NewList(type.GetGenericArguments()[0], shape, variant);
        }

        if (type.IsInterface && type.IsGenericType && IsListInterface(type.GetGenericTypeDefinition()))
        {
            Type element = type.GetGenericArguments()[0];
            return typeof(SampleValues).GetMethod(nameof(Shaped), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(element)
                .Invoke(null, [NewList(element, shape, variant), shape])!;
        }

        if (type.Assembly.GetName().Name!.StartsWith("Granary.", StringComparison.Ordinal))
        {
            return Build(type, shape, variant);
        }

        throw new NotSupportedException($"no sample value for {type}: add a rule to {nameof(SampleValues)}");
    }

    /// <summary>The members Orleans serializes (<c>[Id]</c>): properties and fields, with their values in <paramref name="value"/>.</summary>
    public static IEnumerable<(string Name, Type Type, object? Value)> IdMembers(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
        for (Type? type = value.GetType(); type is not null && type != typeof(object); type = type.BaseType)
        {
            foreach (PropertyInfo property in type.GetProperties(Instance | BindingFlags.DeclaredOnly).Where(p => p.IsDefined(typeof(IdAttribute))))
            {
                yield return (property.Name, property.PropertyType, property.GetValue(value));
            }

            foreach (FieldInfo field in type.GetFields(Instance | BindingFlags.DeclaredOnly).Where(f => f.IsDefined(typeof(IdAttribute))))
            {
                yield return (field.Name, field.FieldType, field.GetValue(value));
            }
        }
    }

    /// <summary>True for null, a type's default, an empty string or an empty collection.</summary>
    public static bool IsDefault(object? value, Type type) => value switch
    {
        null => true,
        string text => text.Length == 0,
        ICollection collection => collection.Count == 0,
        IEnumerable sequence => !sequence.GetEnumerator().MoveNext(),
        _ => type.IsValueType && value.Equals(Activator.CreateInstance(type)),
    };

    private static bool IsListInterface(Type definition) =>
        definition == typeof(IReadOnlyList<>) || definition == typeof(IReadOnlyCollection<>) || definition == typeof(IEnumerable<>)
        || definition == typeof(IList<>) || definition == typeof(ICollection<>);

    private static IList NewList(Type element, ListShape shape, int variant)
    {
        var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
        list.Add(Create(element, shape, variant + 1));
        list.Add(Create(element, shape, variant + 2));
        return list;
    }

    private static IReadOnlyList<T> Shaped<T>(List<T> items, ListShape shape) => shape switch
    {
        ListShape.List => items,
        ListShape.Array => items.ToArray(),
        ListShape.Spread => Spread(items),
        ListShape.Literal => [items[0], items[1]],
        ListShape.SingleElement => [items[0]],
        _ => throw new ArgumentOutOfRangeException(nameof(shape)),
    };

    /// <summary>As grain code writes it: <c>[.. Providers()]</c>, a spread of an enumerable of unknown length.</summary>
    private static IReadOnlyList<T> Spread<T>(IEnumerable<T> items) => [.. items.Select(i => i)];

    /// <summary>The surrogate type and a converter instance, if the grain contracts register one for <paramref name="type"/>.</summary>
    private static (Type Surrogate, object Converter)? SurrogateOf(Type type)
    {
        foreach (Type converter in typeof(BlobFacts).Assembly.GetTypes().Where(t => t.IsDefined(typeof(RegisterConverterAttribute), inherit: false)))
        {
            Type? contract = converter.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IConverter<,>) && i.GetGenericArguments()[0] == type);
            if (contract is not null)
            {
                return (contract.GetGenericArguments()[1], Activator.CreateInstance(converter)!);
            }
        }

        return null;
    }

    private static object Build(Type type, ListShape shape, int variant)
    {
        // The widest public constructor (for an exception, the one with an inner exception, so that is covered too).
        ConstructorInfo? constructor = type.GetConstructors()
            .OrderByDescending(c => c.GetParameters().Length)
            .ThenByDescending(c => c.GetParameters().Any(p => p.ParameterType == typeof(Exception)))
            .FirstOrDefault();
        object value = constructor is null
            ? Activator.CreateInstance(type)! // a struct without a declared constructor
            : constructor.Invoke([.. constructor.GetParameters().Select(p => Create(p.ParameterType, shape, variant))]);
        const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
        for (Type? level = type; level is not null && level != typeof(object); level = level.BaseType)
        {
            foreach (PropertyInfo property in level.GetProperties(Instance | BindingFlags.DeclaredOnly).Where(p => p.IsDefined(typeof(IdAttribute))))
            {
                if (IsDefault(property.GetValue(value), property.PropertyType))
                {
                    MethodInfo setter = property.SetMethod ?? throw new NotSupportedException($"{type}.{property.Name} has no setter and its constructor left it default: add a rule to {nameof(SampleValues)}");
                    setter.Invoke(value, [Create(property.PropertyType, shape, variant)]);
                }
            }
        }

        return value;
    }

    private static Exception Thrown(Exception error)
    {
        try
        {
            throw error;
        }
        catch (Exception caught)
        {
            return caught; // with a stack trace, as a real one has
        }
    }
}
