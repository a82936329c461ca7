-- A Socket Mode envelope carrying a slash command or an interaction is recorded in
-- the same transaction as the command's effects (as `envelope:<id>` among the event
-- ids), together with the answer it got, so a redelivery of an envelope whose
-- command ran gets that same answer and runs nothing again. NULL: answered empty.
ALTER TABLE slack_events ADD COLUMN answer TEXT;
