using System.Reflection;
using Granary.Grains.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Granary.Grains.Tests.Serialization;

/// <summary>
/// Orleans' serializer and deep copier as a silo builds them (<c>AddSerializer</c>), with the Granary
/// grain assemblies registered explicitly. (Under the test host <c>AddSerializer()</c> alone finds
/// them too, through the <c>[ApplicationPart]</c> attributes the Orleans SDK writes; registering them
/// here keeps the test about the generated codecs, not about the host's assembly discovery.)
/// </summary>
public sealed class OrleansSerializers : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection()
        .AddSerializer(builder => builder
            .AddAssembly(typeof(BlobFacts).Assembly)
            .AddAssembly(typeof(BlobGrain).Assembly))
        .BuildServiceProvider();

    /// <summary>What grain calls and replies go through between silos.</summary>
    public Serializer Serializer => _services.GetRequiredService<Serializer>();

    /// <summary>Serializes <paramref name="value"/> as <paramref name="declared"/> (as a grain call's parameter or result of that type) and reads it back.</summary>
    public object? RoundTrip(Type declared, object? value) => Invoke(nameof(RoundTripAs), declared, value);

    /// <summary>
    /// Deep-copies <paramref name="value"/> as <paramref name="declared"/>, with the copier generated
    /// code resolves for that declared type (a grain proxy copies every argument so; a local call's
    /// reply is copied so). Not <see cref="DeepCopier.Copy{T}"/>: that looks up the runtime type, and
    /// has no copier for the compiler's collection-expression types where Orleans' interface copiers
    /// (IReadOnlyList&lt;T&gt;) do.
    /// </summary>
    public object? Copy(Type declared, object? value) => Invoke(nameof(CopyAs), declared, value);

    /// <inheritdoc/>
    public void Dispose() => _services.Dispose();

    private object? Invoke(string method, Type declared, object? value)
    {
        try
        {
            return GetType().GetMethod(method, BindingFlags.NonPublic | BindingFlags.Instance)!.MakeGenericMethod(declared).Invoke(this, [value]);
        }
        catch (TargetInvocationException wrapped) when (wrapped.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(wrapped.InnerException);
            throw;
        }
    }

    private object? RoundTripAs<T>(object? value) => Serializer.Deserialize<T>(Serializer.SerializeToArray((T)value!));

    private object? CopyAs<T>(object? value) => _services.GetRequiredService<DeepCopier<T>>().Copy((T)value!);
}
