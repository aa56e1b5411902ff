-- Granary's schema for Orleans' ADO.NET providers on PostgreSQL, version 1: the query catalogue
-- and clustering (membership).
--
-- Contract (Orleans 10.4.2): at start-up each provider reads `SELECT QueryKey, QueryText FROM
-- OrleansQuery` and from then on issues only those texts, binding parameters by name (@Name) and
-- reading result columns by name. The SQL below is Granary's own; only the keys, parameter names,
-- result column names and value types are Orleans'.
--
-- Every statement is re-runnable: OrleansSchema applies this file under an advisory lock, in one
-- transaction, and only when the schema-version table says version 1 is missing, but a script that
-- can run twice cannot half-break a database someone prepared by hand.
--
-- Membership rules this file must keep (see ARCHITECTURE.md, "Orleans schema"):
--   * one version row per deployment (cluster id); every membership insert or update is a
--     compare-and-swap on it. The CAS and the row write commit together or not at all: a stale
--     version, a duplicate row or a missing row leaves both tables exactly as they were. This does
--     not rely on PL/pgSQL ASSERT (which `plpgsql.check_asserts = off` silently disables).
--   * the heartbeat (IAmAlive) never touches the version row.
--   * cleanup of defunct silos deletes Dead rows (Status 6) only, never a live one.
-- Silo status codes: Created 1, Joining 2, Active 3, ShuttingDown 4, Stopping 5, Dead 6.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL,
    QueryText text        NOT NULL,
    CONSTRAINT OrleansQuery_Key PRIMARY KEY (QueryKey)
);

CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId varchar(150)   NOT NULL,
    Timestamp    timestamptz(3) NOT NULL DEFAULT now(),
    Version      integer        NOT NULL DEFAULT 0,
    CONSTRAINT PK_OrleansMembershipVersionTable_DeploymentId PRIMARY KEY (DeploymentId)
);

CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId varchar(150)   NOT NULL,
    Address      varchar(45)    NOT NULL,
    Port         integer        NOT NULL,
    Generation   integer        NOT NULL,
    SiloName     varchar(150)   NOT NULL,
    HostName     varchar(150)   NOT NULL,
    Status       integer        NOT NULL,
    ProxyPort    integer        NULL,
    SuspectTimes varchar(8000)  NULL,
    StartTime    timestamptz(3) NOT NULL,
    IAmAliveTime timestamptz(3) NOT NULL,
    CONSTRAINT PK_MembershipTable_DeploymentId PRIMARY KEY (DeploymentId, Address, Port, Generation),
    CONSTRAINT FK_MembershipTable_MembershipVersionTable_DeploymentId
        FOREIGN KEY (DeploymentId) REFERENCES OrleansMembershipVersionTable (DeploymentId)
);

-- Membership insert: CAS the version row, then add the silo's row. Both or neither.
CREATE OR REPLACE FUNCTION granary_orleans_membership_insert(
    p_deployment_id  varchar,
    p_address        varchar,
    p_port           integer,
    p_generation     integer,
    p_silo_name      varchar,
    p_host_name      varchar,
    p_status         integer,
    p_proxy_port     integer,
    p_start_time     timestamptz,
    p_i_am_alive     timestamptz,
    p_version        integer)
RETURNS TABLE (row_count integer)
LANGUAGE plpgsql AS
$body$
DECLARE
    affected integer;
BEGIN
    BEGIN
        UPDATE OrleansMembershipVersionTable AS v
           SET Version = v.Version + 1, Timestamp = now()
         WHERE v.DeploymentId = p_deployment_id
           AND v.Version = p_version
           AND v.Version < 2147483647;
        GET DIAGNOSTICS affected = ROW_COUNT;
        IF affected = 0 THEN
            RAISE EXCEPTION 'membership version is not %', p_version USING ERRCODE = 'GR001';
        END IF;

        INSERT INTO OrleansMembershipTable
            (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort,
             StartTime, IAmAliveTime)
        VALUES
            (p_deployment_id, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status,
             p_proxy_port, p_start_time, p_i_am_alive)
        ON CONFLICT ON CONSTRAINT PK_MembershipTable_DeploymentId DO NOTHING;
        GET DIAGNOSTICS affected = ROW_COUNT;
        IF affected = 0 THEN
            RAISE EXCEPTION 'silo row already exists' USING ERRCODE = 'GR001';
        END IF;
    EXCEPTION WHEN SQLSTATE 'GR001' THEN
        -- Leaving the block through the handler rolls back everything written inside it.
        RETURN QUERY SELECT 0;
        RETURN;
    END;
    RETURN QUERY SELECT 1;
END
$body$;

-- Membership update: CAS the version row, then rewrite the silo's row. Both or neither.
CREATE OR REPLACE FUNCTION granary_orleans_membership_update(
    p_deployment_id  varchar,
    p_address        varchar,
    p_port           integer,
    p_generation     integer,
    p_status         integer,
    p_suspect_times  varchar,
    p_i_am_alive     timestamptz,
    p_version        integer)
RETURNS TABLE (row_count integer)
LANGUAGE plpgsql AS
$body$
DECLARE
    affected integer;
BEGIN
    BEGIN
        UPDATE OrleansMembershipVersionTable AS v
           SET Version = v.Version + 1, Timestamp = now()
         WHERE v.DeploymentId = p_deployment_id
           AND v.Version = p_version
           AND v.Version < 2147483647;
        GET DIAGNOSTICS affected = ROW_COUNT;
        IF affected = 0 THEN
            RAISE EXCEPTION 'membership version is not %', p_version USING ERRCODE = 'GR001';
        END IF;

        UPDATE OrleansMembershipTable AS m
           SET Status = p_status, SuspectTimes = p_suspect_times, IAmAliveTime = p_i_am_alive
         WHERE m.DeploymentId = p_deployment_id
           AND m.Address = p_address
           AND m.Port = p_port
           AND m.Generation = p_generation;
        GET DIAGNOSTICS affected = ROW_COUNT;
        IF affected = 0 THEN
            RAISE EXCEPTION 'no such silo row' USING ERRCODE = 'GR001';
        END IF;
    EXCEPTION WHEN SQLSTATE 'GR001' THEN
        RETURN QUERY SELECT 0;
        RETURN;
    END;
    RETURN QUERY SELECT 1;
END
$body$;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO OrleansMembershipVersionTable (DeploymentId)
    VALUES (@DeploymentId)
    ON CONFLICT (DeploymentId) DO NOTHING
    RETURNING 1)
SELECT count(*)::integer AS row_count FROM created;
$q$),
('InsertMembershipKey', $q$
SELECT row_count FROM granary_orleans_membership_insert(
    @DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort,
    @StartTime, @IAmAliveTime, @Version);
$q$),
('UpdateMembershipKey', $q$
SELECT row_count FROM granary_orleans_membership_update(
    @DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes, @IAmAliveTime, @Version);
$q$),
('UpdateIAmAlivetimeKey', $q$
UPDATE OrleansMembershipTable
   SET IAmAliveTime = @IAmAliveTime
 WHERE DeploymentId = @DeploymentId
   AND Address = @Address
   AND Port = @Port
   AND Generation = @Generation;
$q$),
('MembershipReadRowKey', $q$
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status,
       m.ProxyPort, m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
  FROM OrleansMembershipVersionTable AS v
  LEFT JOIN OrleansMembershipTable AS m
         ON m.DeploymentId = v.DeploymentId
        AND m.Address = @Address
        AND m.Port = @Port
        AND m.Generation = @Generation
 WHERE v.DeploymentId = @DeploymentId;
$q$),
('MembershipReadAllKey', $q$
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status,
       m.ProxyPort, m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
  FROM OrleansMembershipVersionTable AS v
  LEFT JOIN OrleansMembershipTable AS m ON m.DeploymentId = v.DeploymentId
 WHERE v.DeploymentId = @DeploymentId;
$q$),
('GatewaysQueryKey', $q$
SELECT Address, ProxyPort, Generation
  FROM OrleansMembershipTable
 WHERE DeploymentId = @DeploymentId
   AND Status = @Status
   AND ProxyPort > 0;
$q$),
('DeleteMembershipTableEntriesKey', $q$
DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId;
DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;
$q$),
-- Bulk cleanup (older providers; newer ones fall back to it): Dead rows that neither started nor
-- heartbeated since the cut-off. The version row is not touched: removing a Dead silo does not
-- change who is alive.
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM OrleansMembershipTable
 WHERE DeploymentId = @DeploymentId
   AND Status = 6
   AND IAmAliveTime < @IAmAliveTime
   AND StartTime < @IAmAliveTime;
$q$),
-- Per-row cleanup: the provider picked this Dead row from a read; delete it only if it is still
-- exactly what was read (a row that changed since is left for the next round).
('CleanupDefunctSiloEntryKey', $q$
DELETE FROM OrleansMembershipTable
 WHERE DeploymentId = @DeploymentId
   AND Address = @Address
   AND Port = @Port
   AND Generation = @Generation
   AND Status = 6
   AND StartTime = @StartTime
   AND IAmAliveTime = @IAmAliveTime
   AND COALESCE(SuspectTimes, '') = COALESCE(@SuspectTimes, '');
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
