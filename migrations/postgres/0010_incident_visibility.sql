-- Which incidents ran in private war rooms, and the indexes the dashboard reads by.
-- An incident declared while `slack.private_channels` is on is private: the
-- dashboard leaves it out of its lists and answers 404 for its pages unless
-- `[dashboard] show_private` is set. Incidents stored before this migration were
-- declared without the mark and stay visible.
ALTER TABLE incidents ADD COLUMN private BOOLEAN NOT NULL DEFAULT FALSE;

-- The incident list, newest first, and the trends' windows: by declared time, with
-- the id to break ties and to page by (keyset pagination).
CREATE INDEX incidents_by_declared ON incidents (declared_at, id);

-- An incident's key system events (status, pages, acks, …) without reading every
-- message of a long timeline. (Its pages of entries, in (at, id) order, come from
-- `timeline_by_incident`.) Partial: messages, the bulk of writes, skip it.
CREATE INDEX timeline_system_events ON timeline_entries (incident_id, system_event, at)
    WHERE kind = 'system';
