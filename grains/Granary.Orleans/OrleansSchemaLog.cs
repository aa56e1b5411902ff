using Microsoft.Extensions.Logging;

namespace Granary.Orleans;

/// <summary>Log messages of <see cref="OrleansSchema"/>.</summary>
internal static partial class OrleansSchemaLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "The Orleans schema in the database is at version {Version}, newer than this silo knows ({Latest}); leaving it as it is")]
    public static partial void NewerThanKnown(ILogger logger, int version, int latest);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying Orleans schema migration {Version} ({Name})")]
    public static partial void Applying(ILogger logger, int version, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Orleans schema migrated from version {From} to {To}")]
    public static partial void Migrated(ILogger logger, int from, int to);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Orleans schema migration {Version} ({Name}) differs from the one applied to this database; add a new migration instead of editing an applied one")]
    public static partial void EditedMigration(ILogger logger, int version, string name);
}
