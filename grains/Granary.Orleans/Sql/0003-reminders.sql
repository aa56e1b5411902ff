-- Granary's schema for Orleans' ADO.NET providers on PostgreSQL, version 3: reminders.
--
-- One row per (service, grain, reminder name). The ETag is the row's Version: an upsert bumps it,
-- a delete succeeds only against the version it names. Reminder services own ranges of the
-- uint32 grain-hash ring; a range (begin, end] that wraps past zero is read with ReadRangeRows2Key.

CREATE TABLE IF NOT EXISTS OrleansRemindersTable
(
    ServiceId    varchar(150)   NOT NULL,
    GrainId      varchar(150)   NOT NULL,
    ReminderName varchar(150)   NOT NULL,
    StartTime    timestamptz(3) NOT NULL,
    Period       bigint         NOT NULL,
    GrainHash    integer        NOT NULL,
    Version      integer        NOT NULL,
    CONSTRAINT PK_RemindersTable_ServiceId_GrainId_ReminderName PRIMARY KEY (ServiceId, GrainId, ReminderName)
);

CREATE INDEX IF NOT EXISTS IX_OrleansRemindersTable_ServiceId_GrainHash
    ON OrleansRemindersTable (ServiceId, GrainHash);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('UpsertReminderRowKey', $q$
INSERT INTO OrleansRemindersTable AS r
    (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
VALUES
    (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period::bigint, @GrainHash, 0)
ON CONFLICT ON CONSTRAINT PK_RemindersTable_ServiceId_GrainId_ReminderName
DO UPDATE SET StartTime = EXCLUDED.StartTime,
              Period = EXCLUDED.Period,
              GrainHash = EXCLUDED.GrainHash,
              Version = r.Version + 1
RETURNING r.Version AS Version;
$q$),
('ReadReminderRowsKey', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
  FROM OrleansRemindersTable
 WHERE ServiceId = @ServiceId
   AND GrainId = @GrainId;
$q$),
('ReadReminderRowKey', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
  FROM OrleansRemindersTable
 WHERE ServiceId = @ServiceId
   AND GrainId = @GrainId
   AND ReminderName = @ReminderName;
$q$),
('ReadRangeRows1Key', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
  FROM OrleansRemindersTable
 WHERE ServiceId = @ServiceId
   AND GrainHash > @BeginHash
   AND GrainHash <= @EndHash;
$q$),
('ReadRangeRows2Key', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
  FROM OrleansRemindersTable
 WHERE ServiceId = @ServiceId
   AND (GrainHash > @BeginHash OR GrainHash <= @EndHash);
$q$),
('DeleteReminderRowKey', $q$
WITH deleted AS (
    DELETE FROM OrleansRemindersTable
     WHERE ServiceId = @ServiceId
       AND GrainId = @GrainId
       AND ReminderName = @ReminderName
       AND Version = @Version
    RETURNING 1)
SELECT count(*)::integer AS row_count FROM deleted;
$q$),
('DeleteReminderRowsKey', $q$
DELETE FROM OrleansRemindersTable WHERE ServiceId = @ServiceId;
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
