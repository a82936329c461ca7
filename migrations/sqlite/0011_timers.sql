-- Durable timers: one row per (incident, kind) of thing Warroom must do later (for
-- now, the nudges: an update due, no commander, a quiet incident, resolved but not
-- closed). A worker in every replica claims rows whose due time has passed, decides
-- and re-arms them in one transaction; PostgreSQL replicas claim with FOR UPDATE
-- SKIP LOCKED (SQLite's write transactions are exclusive). `fired` counts the times
-- the timer went off: with the timer's id it keys what was sent, so nothing is sent
-- twice, and a button names the firing it answers.

CREATE TABLE timers (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id   INTEGER NOT NULL REFERENCES incidents (id),
    -- nudge:update_due, nudge:no_commander, nudge:quiet, nudge:unclosed
    kind          TEXT    NOT NULL,
    -- armed: looked at once due_at passes; done: nothing left to do; dismissed: a
    -- person said stop (never armed again).
    state         TEXT    NOT NULL CHECK (state IN ('armed', 'done', 'dismissed')),
    due_at        TEXT,
    fired         INTEGER NOT NULL DEFAULT 0,
    last_fired_at TEXT,
    -- Not before this (a snooze); cleared when the timer fires.
    snoozed_until TEXT,
    -- The firing a snooze answered, so a second press on that message does nothing.
    answered      INTEGER NOT NULL DEFAULT 0,
    updated_at    TEXT    NOT NULL,
    UNIQUE (incident_id, kind)
);
CREATE INDEX timers_due ON timers (state, due_at);
