-- Alerts from Alertmanager and Grafana. A group (one source's `groupKey`) belongs to
-- at most one incident at a time; its row is locked while a notification is handled,
-- so two replicas taking the same group at once declare one incident. Each alert
-- (by `fingerprint`) keeps its last state, so a re-sent notification changes nothing.

CREATE TABLE alert_groups (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    -- alertmanager or grafana
    source        TEXT        NOT NULL,
    group_key     TEXT        NOT NULL,
    -- The incident the group feeds now (or last fed); NULL until one is declared.
    incident_id   INTEGER      REFERENCES incidents (id),
    -- The declaring rule's name, for its auto_resolve; NULL for a triage declare.
    rule_name     TEXT,
    -- firing or resolved: the group as its last notification left it.
    status        TEXT        NOT NULL CHECK (status IN ('firing', 'resolved')),
    receiver      TEXT        NOT NULL,
    external_url  TEXT,
    -- JSON: the group's labels and common labels and annotations, for a declare from
    -- triage long after the notification.
    group_labels  TEXT        NOT NULL,
    common_labels TEXT        NOT NULL,
    common_annotations TEXT   NOT NULL,
    first_seen    TEXT NOT NULL,
    last_seen     TEXT NOT NULL,
    -- When every alert of the group last resolved; the flap window counts from here.
    resolved_at   TEXT,
    -- The triage post of the current firing episode, when no rule declared.
    triage_channel TEXT,
    triage_ts     TEXT,
    UNIQUE (source, group_key)
);
CREATE INDEX alert_groups_by_incident ON alert_groups (incident_id);

CREATE TABLE alerts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id      INTEGER      NOT NULL REFERENCES alert_groups (id),
    fingerprint   TEXT        NOT NULL,
    status        TEXT        NOT NULL CHECK (status IN ('firing', 'resolved')),
    alertname     TEXT        NOT NULL,
    -- JSON objects of strings.
    labels        TEXT        NOT NULL,
    annotations   TEXT        NOT NULL,
    starts_at     TEXT,
    ends_at       TEXT,
    generator_url TEXT,
    dashboard_url TEXT,
    panel_url     TEXT,
    silence_url   TEXT,
    -- Grafana's `values`, as JSON, when sent.
    alert_values  TEXT,
    first_seen    TEXT NOT NULL,
    -- When the status last changed, as we received it.
    changed_at    TEXT NOT NULL,
    -- How many times it started firing (1 at first; flapping adds).
    fired_count   INTEGER      NOT NULL DEFAULT 1,
    UNIQUE (group_id, fingerprint)
);

-- Where each page's Slack DM went, so it can be updated with the war room's link
-- once the room exists. One DM may carry the pages of several incidents.
ALTER TABLE pages ADD COLUMN dm_channel TEXT;
ALTER TABLE pages ADD COLUMN dm_ts TEXT;
