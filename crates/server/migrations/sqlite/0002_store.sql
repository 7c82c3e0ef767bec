-- The store owns every invariant (src/store/): what it needs to hold them.

-- Wrong MFA codes in a row, whatever the session or proof; MFA locks at the limit
-- (APP_MFA_LOCKOUT) until an admin unlocks it.
ALTER TABLE accounts ADD COLUMN mfa_failures INTEGER NOT NULL DEFAULT 0;

-- Every proof expires (authenticator enrollments too); an enrollment opened with a
-- step-up remembers when that step-up was. Old proofs get an expiry of 0: expired.
ALTER TABLE proofs ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE proofs ADD COLUMN step_up_at INTEGER;
CREATE INDEX proofs_expiry ON proofs(expires_at);

-- Each throttle window ends at its own time (windows differ per limit); the sweeper
-- removes ended ones.
ALTER TABLE throttles ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX throttles_expiry ON throttles(expires_at);

CREATE INDEX sessions_seen ON sessions(last_seen_at);
