-- Paging: who was paged for which incident, the provider alerts opened for them, and
-- the escalation in progress. Pending escalations live here with their deadlines, so a
-- restart or a second replica never loses or doubles a page.

-- One row per person paged. A page to a team pages each of its points of contact.
CREATE TABLE pages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    -- policy:<incident>:<level>:<user> or manual:<uuid>: one page per person per level.
    page_key    TEXT    NOT NULL UNIQUE,
    user_id     TEXT    NOT NULL,
    team_id     TEXT,
    -- 0-based escalation level; NULL for a manual page.
    level       INTEGER,
    note        TEXT,
    paged_by    TEXT,
    paged_at    TEXT    NOT NULL,
    acked_at    TEXT,
    acked_by    TEXT,
    ack_source  TEXT
);
CREATE INDEX pages_by_incident ON pages (incident_id, user_id);

-- Alerts opened at PagerDuty, Opsgenie or a webhook, so closing resolves every one.
CREATE TABLE provider_alerts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id  INTEGER NOT NULL REFERENCES incidents (id),
    provider     TEXT    NOT NULL,
    team_id      TEXT    NOT NULL,
    dedup_key    TEXT    NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
    opened_at    TEXT    NOT NULL,
    UNIQUE (provider, dedup_key)
);

-- The policy escalation of an incident: the next level to page and when.
CREATE TABLE escalations (
    incident_id INTEGER PRIMARY KEY REFERENCES incidents (id),
    policy_id   TEXT    NOT NULL,
    next_level  INTEGER NOT NULL,
    deadline    TEXT,
    status      TEXT    NOT NULL CHECK (status IN ('waiting', 'acked', 'exhausted', 'cancelled')),
    updated_at  TEXT    NOT NULL
);
CREATE INDEX escalations_due ON escalations (status, deadline);
