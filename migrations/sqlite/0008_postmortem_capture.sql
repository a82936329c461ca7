-- What the team captures for the postmortem while the incident runs: roles beyond the
-- commander, impact statements, action items and the messages marked as key events.
-- The summary needs no table: `incidents.summary` holds the latest, and each one set
-- is also a timeline entry, so earlier ones are kept.

-- Dates are YYYY-MM-DD text; times RFC 3339, as elsewhere.
-- The commander stays in incidents.lead_user; these are the other roles.
ALTER TABLE incidents ADD COLUMN comms_user TEXT;
ALTER TABLE incidents ADD COLUMN scribe_user TEXT;
-- When the fix was first in place (status monitoring), for time to mitigate.
ALTER TABLE incidents ADD COLUMN mitigated_at TEXT;

-- Impact statements in the team's words, optionally filed under a heading. Dropping
-- one keeps the row (removed_at), so the record shows what was said and withdrawn.
CREATE TABLE impact_statements (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER      NOT NULL REFERENCES incidents (id),
    -- Per incident, from 1: the number people use to correct it.
    seq         INTEGER      NOT NULL,
    category    TEXT        CHECK (category IN ('business', 'customers', 'systems')),
    text        TEXT        NOT NULL,
    author_id   TEXT        NOT NULL,
    added_at    TEXT NOT NULL,
    removed_at  TEXT,
    UNIQUE (incident_id, seq)
);

-- Action items. `seq` is the number people see (`action done 2`). The GitHub issue,
-- once opened, is kept so a retry never opens a second one. `reminded_for` is the due
-- date a reminder was last queued for: a reminder is due when it differs from
-- `due_date`, so moving the date re-arms it and nothing is ever reminded twice.
CREATE TABLE action_items (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id   INTEGER      NOT NULL REFERENCES incidents (id),
    seq           INTEGER      NOT NULL,
    text          TEXT        NOT NULL,
    owner_id      TEXT,
    due_date      TEXT,
    status        TEXT        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'dropped')),
    created_by    TEXT        NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    -- The war-room message it was made from (the "Add as action item" shortcut).
    source_ts     TEXT,
    reminded_for  TEXT,
    issue_number  INTEGER,
    issue_url     TEXT,
    UNIQUE (incident_id, seq)
);
CREATE INDEX action_items_due ON action_items (status, due_date);
CREATE INDEX action_items_owner ON action_items (owner_id, status);

-- Marks that make a war-room message a key event: a pushpin reaction (one per person)
-- or a pin (one per message, `user_id` ''). Keyed by the message, not the timeline
-- row, because a reaction can arrive before its message is written; the message is a
-- key event while any mark remains.
CREATE TABLE key_marks (
    channel_id TEXT        NOT NULL,
    ts         TEXT        NOT NULL,
    source     TEXT        NOT NULL CHECK (source IN ('reaction', 'pin')),
    user_id    TEXT        NOT NULL,
    marked_at  TEXT NOT NULL,
    PRIMARY KEY (channel_id, ts, source, user_id)
);
