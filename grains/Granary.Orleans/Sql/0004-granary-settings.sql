-- Granary's own cluster settings, version 4: values the first silo chooses and every later silo
-- adopts (the admin token, the replication factor R). Insert-if-absent under the primary key, so
-- silos that start together agree on the first writer's value.

CREATE TABLE IF NOT EXISTS granary_settings
(
    key   varchar(64) PRIMARY KEY,
    value text        NOT NULL
);
