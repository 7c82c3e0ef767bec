-- Single sign-on (credentials/sso.rs, store/sso.rs).
--
-- Who the organization's OpenID provider says a person is: (issuer, subject), linked to
-- one account (a directory person's, when a directory is configured).
CREATE TABLE sso_links (
    issuer      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    account_id  TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX sso_links_account ON sso_links(account_id);

-- A sign-in sent to the provider and not back yet: its `state` (SHA-256; the nonce and
-- the PKCE verifier are derived from it under the server key, so nothing secret is
-- kept), where to go back to, until when. Taken once.
CREATE TABLE sso_logins (
    state_hash  TEXT PRIMARY KEY,
    return_to   TEXT NOT NULL,
    expires_at  INTEGER NOT NULL
);

-- A sign-in the provider confirmed, waiting for the app to fetch its session: a one-time
-- code (SHA-256) in the return address's fragment, exchanged once by a POST within a
-- minute; the MFA the provider did, when it counts.
CREATE TABLE sso_handoffs (
    code_hash   TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    mfa_at      INTEGER,
    mfa_kind    TEXT,
    expires_at  INTEGER NOT NULL
);
