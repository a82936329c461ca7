-- The Atlassian Statuspage incident that mirrors a Warroom incident, once someone has
-- posted a public update. The row is written with the first public update, in the same
-- transaction, before anything is sent; `statuspage_id` is filled in once Statuspage
-- has created the incident (or a retry has found the one an earlier attempt created,
-- by the `warroom_incident` metadata it carries). With it stored, later updates patch
-- that incident and no retry ever creates a second one.
CREATE TABLE statuspage_incidents (
    incident_id   BIGINT PRIMARY KEY REFERENCES incidents (id),
    -- The page it was opened on: a page id changed in config later does not move it.
    page_id       TEXT NOT NULL,
    statuspage_id TEXT,
    created_at    TIMESTAMPTZ NOT NULL
);
