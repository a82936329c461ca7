-- A due escalation that cannot be handled (a bad row, a failing query) is retried a
-- few times with backoff and then marked failed, instead of stalling every other
-- escalation behind it.
ALTER TABLE escalations DROP CONSTRAINT escalations_status_check;
ALTER TABLE escalations ADD CONSTRAINT escalations_status_check
    CHECK (status IN ('waiting', 'acked', 'exhausted', 'cancelled', 'failed'));
-- Failed tries at the current level since it last moved on.
ALTER TABLE escalations ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE escalations ADD COLUMN last_error TEXT;
