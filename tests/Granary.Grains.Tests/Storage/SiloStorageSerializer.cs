using Granary.Grains.Tests.Silos;
using Granary.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Granary.Grains.Tests.Storage;

/// <summary>
/// The <see cref="IGrainStorageSerializer"/> a real lone silo resolves from its services, as
/// <c>SiloHost</c> hands it to <see cref="Granary.Orleans.SqliteGrainStorage"/> (Orleans' default: JSON).
/// </summary>
public sealed class SiloStorageSerializer : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private readonly SiloLog _log = new();
    private GrainSilo? _silo;

    /// <summary>The silo's grain-storage serializer.</summary>
    public IGrainStorageSerializer Serializer => (_silo ?? throw new InvalidOperationException("not started")).Services.GetRequiredService<IGrainStorageSerializer>();

    /// <inheritdoc/>
    public async Task InitializeAsync() => _silo = await GrainSilo.StartAloneAsync(_data.File("grains.db"), _log);

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        _data.Dispose();
    }
}
