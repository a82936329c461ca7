-- Every version of a message's text, each with the time it was written (the message's
-- own time, then each edit's). The entry holds the newest; its earlier versions are
-- those older than its edit. Keyed by time, so edits arriving out of order or twice
-- still leave one complete history.
CREATE TABLE timeline_versions (
    channel_id TEXT NOT NULL,
    ts         TEXT NOT NULL,
    text       TEXT NOT NULL,
    at         TEXT NOT NULL,
    PRIMARY KEY (channel_id, ts, at)
);
-- What edited entries already knew: the text they replaced (its time is not known;
-- the message's own time stands in) and their current text.
INSERT INTO timeline_versions (channel_id, ts, text, at)
    SELECT channel_id, ts, previous_text, at FROM timeline_entries
    WHERE previous_text IS NOT NULL AND channel_id IS NOT NULL AND ts IS NOT NULL
    ON CONFLICT DO NOTHING;
INSERT INTO timeline_versions (channel_id, ts, text, at)
    SELECT channel_id, ts, text, edited_at FROM timeline_entries
    WHERE edited_at IS NOT NULL AND channel_id IS NOT NULL AND ts IS NOT NULL
    ON CONFLICT DO NOTHING;
