using Granary.Testing;

namespace Granary.Grains.Tests.Silos;

/// <summary>One PostgreSQL server for the whole project (initdb costs seconds); each test takes a fresh database.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "postgres";
}
