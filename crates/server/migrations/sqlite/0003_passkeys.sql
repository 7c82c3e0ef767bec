-- Security keys and passkeys (WebAuthn), the phishing-resistant policy, last use.

-- A registered key: its credential (public key, counter: webauthn-rs's Passkey as
-- JSON; nothing secret) and its id, which no two registrations may share.
ALTER TABLE methods ADD COLUMN credential TEXT;
ALTER TABLE methods ADD COLUMN credential_id TEXT;
CREATE UNIQUE INDEX methods_credential ON methods(credential_id);
-- When the method was last proven.
ALTER TABLE methods ADD COLUMN last_used_at INTEGER;

-- A ceremony in progress (the challenge the key must sign), single use like the proof.
ALTER TABLE proofs ADD COLUMN ceremony TEXT;
-- The name the person gives a key being registered.
ALTER TABLE proofs ADD COLUMN label TEXT;

-- Creating an app password needs a session proven with a phishing-resistant method.
ALTER TABLE accounts ADD COLUMN phishing_resistant INTEGER NOT NULL DEFAULT 0;
-- Which kind of method proved the session's last step-up.
ALTER TABLE sessions ADD COLUMN mfa_kind TEXT;
