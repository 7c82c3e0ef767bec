-- The directory is asked about a person from several places at once (a sign-in, the
-- status refresh, a single sign-on, another replica): an answer asked earlier may
-- arrive later. directory_asked_ms is when the answer kept now was asked (Unix
-- milliseconds); an answer asked before it is older news and changes nothing (it would
-- otherwise undo a newer one: a password change seen twice signs the person out again
-- and revokes their new app passwords). Rows kept before this change count as asked
-- when they were seen.
ALTER TABLE accounts ADD COLUMN directory_asked_ms BIGINT;
UPDATE accounts SET directory_asked_ms = directory_seen_at * 1000 WHERE directory_seen_at IS NOT NULL;
