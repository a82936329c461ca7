-- What each looked-up id is: a person, a bot, or an id Slack does not know. Bots and
-- unknown ids are kept (so they are not looked up again on every publish) but are
-- never listed as stakeholders.
ALTER TABLE people ADD COLUMN kind TEXT NOT NULL DEFAULT 'person'
    CHECK (kind IN ('person', 'bot', 'unknown'));
