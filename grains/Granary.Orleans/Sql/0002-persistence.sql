-- Granary's schema for Orleans' ADO.NET providers on PostgreSQL, version 2: grain persistence.
--
-- One row per grain state (service, grain type, grain id). The ETag Orleans hands to a grain is
-- the row's integer Version. A write succeeds only against the version it read (NULL = "never
-- stored"); the function then returns the new version. On a mismatch it returns the version it was
-- given, unchanged, and Orleans raises InconsistentStateException: a stale activation (a silo
-- declared dead, a split brain) cannot overwrite newer state.
--
-- Unlike a plain "INSERT ... WHERE NOT EXISTS", the first insert is decided by a unique index, so
-- two activations racing to create the same state cannot both succeed.

CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash            integer        NOT NULL,
    GrainIdN0              bigint         NOT NULL,
    GrainIdN1              bigint         NOT NULL,
    GrainTypeHash          integer        NOT NULL,
    GrainTypeString        varchar(512)   NOT NULL,
    GrainIdExtensionString varchar(512)   NULL,
    ServiceId              varchar(150)   NOT NULL,
    PayloadBinary          bytea          NULL,
    ModifiedOn             timestamptz(3) NOT NULL DEFAULT now(),
    Version                integer        NULL
);

CREATE UNIQUE INDEX IF NOT EXISTS UX_OrleansStorage_Grain
    ON OrleansStorage (GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, ServiceId, GrainTypeString, GrainIdExtensionString)
    NULLS NOT DISTINCT;

CREATE OR REPLACE FUNCTION granary_orleans_storage_write(
    p_grain_id_hash   integer,
    p_grain_id_n0     bigint,
    p_grain_id_n1     bigint,
    p_grain_type_hash integer,
    p_grain_type      varchar,
    p_grain_extension varchar,
    p_service_id      varchar,
    p_version         integer,
    p_payload         bytea)
RETURNS TABLE (NewGrainStateVersion integer)
LANGUAGE plpgsql AS
$body$
DECLARE
    written integer;
BEGIN
    IF p_version IS NULL THEN
        INSERT INTO OrleansStorage AS s
            (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString,
             ServiceId, PayloadBinary, ModifiedOn, Version)
        VALUES
            (p_grain_id_hash, p_grain_id_n0, p_grain_id_n1, p_grain_type_hash, p_grain_type, p_grain_extension,
             p_service_id, p_payload, now(), 1)
        ON CONFLICT (GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, ServiceId, GrainTypeString, GrainIdExtensionString)
        DO NOTHING
        RETURNING s.Version INTO written;
    ELSE
        UPDATE OrleansStorage AS s
           SET PayloadBinary = p_payload, ModifiedOn = now(), Version = s.Version + 1
         WHERE s.GrainIdHash = p_grain_id_hash
           AND s.GrainTypeHash = p_grain_type_hash
           AND s.GrainIdN0 = p_grain_id_n0
           AND s.GrainIdN1 = p_grain_id_n1
           AND s.ServiceId = p_service_id
           AND s.GrainTypeString = p_grain_type
           AND s.GrainIdExtensionString IS NOT DISTINCT FROM p_grain_extension
           AND s.Version = p_version
        RETURNING s.Version INTO written;
    END IF;
    -- Unchanged (the version passed in, NULL for a lost first insert) means "conflict".
    RETURN QUERY SELECT COALESCE(written, p_version);
END
$body$;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('WriteToStorageKey', $q$
SELECT NewGrainStateVersion FROM granary_orleans_storage_write(
    @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString,
    @ServiceId, @GrainStateVersion, @PayloadBinary);
$q$),
('ReadFromStorageKey', $q$
SELECT PayloadBinary, now() AS ReadOn, Version
  FROM OrleansStorage
 WHERE GrainIdHash = @GrainIdHash
   AND GrainTypeHash = @GrainTypeHash
   AND GrainIdN0 = @GrainIdN0
   AND GrainIdN1 = @GrainIdN1
   AND ServiceId = @ServiceId
   AND GrainTypeString = @GrainTypeString
   AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString;
$q$),
-- Clear keeps the row (and its version history) with no payload.
('ClearStorageKey', $q$
UPDATE OrleansStorage
   SET PayloadBinary = NULL, ModifiedOn = now(), Version = Version + 1
 WHERE GrainIdHash = @GrainIdHash
   AND GrainTypeHash = @GrainTypeHash
   AND GrainIdN0 = @GrainIdN0
   AND GrainIdN1 = @GrainIdN1
   AND ServiceId = @ServiceId
   AND GrainTypeString = @GrainTypeString
   AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
   AND Version = @GrainStateVersion
RETURNING Version AS NewGrainStateVersion;
$q$),
-- With DeleteStateOnClear the row goes; the returned version tells Orleans the delete happened.
('DeleteStorageKey', $q$
DELETE FROM OrleansStorage
 WHERE GrainIdHash = @GrainIdHash
   AND GrainTypeHash = @GrainTypeHash
   AND GrainIdN0 = @GrainIdN0
   AND GrainIdN1 = @GrainIdN1
   AND ServiceId = @ServiceId
   AND GrainTypeString = @GrainTypeString
   AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
   AND Version = @GrainStateVersion
RETURNING Version + 1 AS NewGrainStateVersion;
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
