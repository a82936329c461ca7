-- A due escalation that cannot be handled (a bad row, a failing query) is retried a
-- few times with backoff and then marked failed, instead of stalling every other
-- escalation behind it. SQLite cannot alter a CHECK constraint, so the table is
-- rebuilt with the new status and the two new columns.
CREATE TABLE escalations_new (
    incident_id INTEGER PRIMARY KEY REFERENCES incidents (id),
    policy_id   TEXT    NOT NULL,
    next_level  INTEGER NOT NULL,
    deadline    TEXT,
    status      TEXT    NOT NULL
                CHECK (status IN ('waiting', 'acked', 'exhausted', 'cancelled', 'failed')),
    updated_at  TEXT    NOT NULL,
    -- Failed tries at the current level since it last moved on.
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT
);
INSERT INTO escalations_new (incident_id, policy_id, next_level, deadline, status, updated_at)
    SELECT incident_id, policy_id, next_level, deadline, status, updated_at FROM escalations;
DROP TABLE escalations;
ALTER TABLE escalations_new RENAME TO escalations;
CREATE INDEX escalations_due ON escalations (status, deadline);
