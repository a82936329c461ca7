-- A resolved incident that reopens (its alert fired again, or someone set it back to
-- investigating) is paged again, as a new round: its page keys, provider dedup keys
-- and the acks that stop its escalation are the round's own, so the pages and
-- provider alerts of the first round (all resolved by then) neither swallow nor stop
-- the new ones. `paging_round` counts the reopens; `paging_round_at` is when the
-- current round began (NULL for the first, which began at the declaration).
ALTER TABLE incidents ADD COLUMN paging_round INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN paging_round_at TEXT;
