-- The trends page reads, for every incident of the last year, the first ack of any
-- of its pages (MTTA). With the ack time in the index beside the incident, that
-- MIN is read from the index alone, at the first non-null entry, instead of
-- visiting every page row of the incident.
CREATE INDEX pages_first_ack ON pages (incident_id, acked_at);
