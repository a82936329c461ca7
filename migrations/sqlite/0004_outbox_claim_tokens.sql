-- Fencing for outbox claims. A claim is a lease; when its holder stalls past the
-- lease, another worker takes the item over. Each claim now carries a fresh token
-- that finishing, retrying, failing, renewing or releasing must present, so a
-- worker whose claim was taken over can no longer change the item.
ALTER TABLE outbox ADD COLUMN claim_token TEXT;
