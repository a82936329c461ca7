-- The fallback war room on IRC (issue 17): when Slack is down (or before, to prepare),
-- an incident's war room continues in an IRC channel, and what is said there joins
-- the same timeline.

-- Where each entry was said. Every entry stored before this migration came from
-- Slack (or from Warroom itself, which is 'slack' too: its own system entries).
ALTER TABLE timeline_entries ADD COLUMN source TEXT NOT NULL DEFAULT 'slack'
    CHECK (source IN ('slack', 'irc'));
-- The IRC nick an entry said on IRC came from. author_id holds the Slack user the
-- nick maps to ([fallback.irc.nicks]), or NULL for a nick nobody mapped.
ALTER TABLE timeline_entries ADD COLUMN author_nick TEXT;
-- IRC entries keep the (channel_id, ts) identity of Slack messages, so a message
-- stored twice (a retried write, two replicas) is one entry: channel_id is
-- 'irc:#<prefix>-inc-<id>' and ts a key given to the line when it was read.

-- One row per incident that has (or had) a fallback room. Reopening after a close
-- reuses the row: opened_at moves, closed_at clears.
CREATE TABLE fallback_rooms (
    incident_id   BIGINT PRIMARY KEY REFERENCES incidents (id),
    -- '#<prefix>-inc-<id>', fixed when opened.
    channel       TEXT    NOT NULL,
    opened_at     TIMESTAMPTZ NOT NULL,
    -- 'command' (/incident fallback), 'cli' (warroom fallback open), 'slack_down'
    -- (opened automatically after Slack's Web API failed for fallback.after).
    reason        TEXT    NOT NULL CHECK (reason IN ('command', 'cli', 'slack_down')),
    -- The Slack user who opened it with /incident fallback.
    opened_by     TEXT,
    closed_at     TIMESTAMPTZ,
    -- When Warroom first told the IRC channel where things stand (the topic, the
    -- summary and the last key events): once per opening, across restarts.
    briefed_at    TIMESTAMPTZ,
    -- Since when Slack has been unreachable while this room was open; cleared when
    -- Slack is back and the war room has been told what happened on IRC meanwhile.
    slack_down_at TIMESTAMPTZ
);
CREATE INDEX fallback_rooms_open ON fallback_rooms (closed_at);

-- Which replica holds the IRC connection: one connection for all fallback rooms, so
-- every line is read once. A holder renews its lease; another replica takes over
-- once it has expired.
CREATE TABLE fallback_lease (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    holder     TEXT    NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
