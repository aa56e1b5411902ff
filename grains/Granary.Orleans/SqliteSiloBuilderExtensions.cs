using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.Storage;

namespace Granary.Orleans;

/// <summary>Configures a silo that runs alone to keep its grain state and reminders in one SQLite file.</summary>
public static class SqliteSiloBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="SqliteGrainStorage"/> as grain-storage provider <paramref name="storageName"/>
    /// and <see cref="SqliteReminderTable"/> as the reminder table, both on <paramref name="path"/>.
    /// </summary>
    /// <param name="silo">The silo being built.</param>
    /// <param name="storageName">The provider name grains use in <c>[PersistentState(..., storageName)]</c>.</param>
    /// <param name="path">The SQLite file, created if absent.</param>
    /// <returns><paramref name="silo"/>.</returns>
    public static ISiloBuilder UseSqliteGrainState(this ISiloBuilder silo, string storageName, string path)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddKeyedSingleton<IGrainStorage>(storageName, (services, _) => new SqliteGrainStorage(path, services.GetRequiredService<IGrainStorageSerializer>()));
        silo.AddReminders();
        silo.Services.AddSingleton<IReminderTable>(new SqliteReminderTable(path));
        return silo;
    }
}
