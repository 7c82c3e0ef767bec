-- Admin tokens are signed, so every replica checks one alone; one ended before its 15
-- minutes (the helpdesk view's sign-out) is kept here, as a keyed hash, until it would
-- have expired anyway (the sweep removes it then).
CREATE TABLE ended_admin_tokens (
    token_hash TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
);
