namespace Granary.Orleans;

/// <summary>One step of Granary's PostgreSQL schema for Orleans: the SQL that brings the schema to <see cref="Version"/>.</summary>
/// <param name="Version">The schema version this step produces (1, 2, 3, … without gaps).</param>
/// <param name="Name">A short name, from the resource file name (for example <c>clustering</c>).</param>
/// <param name="Sql">The script; every statement in it may be run again without harm.</param>
/// <param name="Checksum">SHA-256 of <see cref="Sql"/> (lower-case hex), recorded when the step is applied.</param>
public sealed record OrleansSchemaMigration(int Version, string Name, string Sql, string Checksum);
