-- Drills: practice incidents. An incident is a drill or not from the moment it is
-- declared (`/incident drill`, the declare modal's "Drill" box, or a Wheel of
-- Misfortune replay); nothing ever changes the mark afterwards, so a drill cannot
-- turn into a real incident or back. Drills are kept out of the metrics and the
-- dashboard's trends, and their pages reach Slack DMs only unless
-- `[drills] page_providers` is on. Incidents stored before this migration are real.
ALTER TABLE incidents ADD COLUMN drill BOOLEAN NOT NULL DEFAULT FALSE;
