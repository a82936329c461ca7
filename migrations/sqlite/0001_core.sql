-- The core incident loop: incidents, their timelines, Slack event dedupe, the people
-- cache and the outbound queue. Timestamps are UTC, stored as RFC 3339 text.

-- One row per incident, declared in Slack or imported from an export.
CREATE TABLE incidents (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    title         TEXT    NOT NULL,
    severity      INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 4),
    status        TEXT    NOT NULL,
    service       TEXT,
    summary       TEXT,
    lead_user     TEXT,
    declared_by   TEXT    NOT NULL,
    declared_at   TEXT    NOT NULL,
    identified_at TEXT,
    resolved_at   TEXT,
    closed_at     TEXT,
    resolution    TEXT,
    -- A war room belongs to exactly one incident.
    channel_id    TEXT UNIQUE,
    channel_name  TEXT
);
CREATE INDEX incidents_open ON incidents (status);

-- Every message and system event. A Slack message is identified by (channel_id, ts);
-- the unique key makes redelivered or backfilled messages land once. System entries
-- have no ts, and NULLs never collide.
CREATE TABLE timeline_entries (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id   INTEGER NOT NULL REFERENCES incidents (id),
    at            TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('message', 'system')),
    system_event  TEXT,
    author_id     TEXT,
    text          TEXT    NOT NULL,
    channel_id    TEXT,
    ts            TEXT,
    thread_ts     TEXT,
    previous_text TEXT,
    edited_at     TEXT,
    deleted_at    TEXT,
    -- JSON array of {id, name, permalink}.
    files         TEXT    NOT NULL DEFAULT '[]',
    UNIQUE (channel_id, ts)
);
CREATE INDEX timeline_by_incident ON timeline_entries (incident_id, at);

-- Slack event ids already handled: Slack retries until it sees a 200 in time.
CREATE TABLE slack_events (
    event_id    TEXT PRIMARY KEY,
    received_at TEXT NOT NULL
);

-- Display names and titles (teams) from users.info, for stakeholders and mentions.
CREATE TABLE people (
    user_id    TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    title      TEXT,
    fetched_at TEXT NOT NULL
);

-- Messages Warroom posted that it refers to later, e.g. the pinned summary it updates.
CREATE TABLE incident_messages (
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    purpose     TEXT    NOT NULL,
    channel_id  TEXT    NOT NULL,
    ts          TEXT    NOT NULL,
    PRIMARY KEY (incident_id, purpose)
);

-- Outbound Slack writes. The intent is stored in the same transaction as the change
-- that caused it; a worker sends items in id order within a lane.
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    lane         TEXT    NOT NULL,
    idem_key     TEXT    NOT NULL UNIQUE,
    payload      TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'in_flight', 'done', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    not_before   TEXT    NOT NULL,
    locked_until TEXT,
    last_error   TEXT,
    created_at   TEXT    NOT NULL,
    done_at      TEXT
);
CREATE INDEX outbox_due ON outbox (status, not_before);
CREATE INDEX outbox_lane ON outbox (lane, status, id);
