-- Portable SQL (SQLite and PostgreSQL): TEXT ids, INTEGER unix seconds, 0/1 booleans.

CREATE TABLE accounts (
    id                    TEXT PRIMARY KEY,
    username              TEXT NOT NULL UNIQUE,      -- lower-cased
    display_name          TEXT NOT NULL,
    password_hash         TEXT NOT NULL,             -- Argon2id PHC string
    disabled              INTEGER NOT NULL DEFAULT 0,
    mfa_required          INTEGER NOT NULL DEFAULT 1,
    app_passwords_allowed INTEGER NOT NULL DEFAULT 1,
    allowed_methods       TEXT NOT NULL DEFAULT 'totp,sms,voice,email',
    created_at            INTEGER NOT NULL
);

CREATE TABLE methods (
    id             TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    label          TEXT NOT NULL,                    -- masked, shown to the person
    destination    TEXT,                             -- phone or email, to send codes
    totp_secret    TEXT,                             -- base32, totp only
    last_totp_step INTEGER,                          -- replay protection
    created_at     INTEGER NOT NULL
);
CREATE INDEX methods_account ON methods(account_id);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,               -- SHA-256 of the bearer token
    account_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    mfa_at       INTEGER                             -- last successful MFA (step-up)
);
CREATE INDEX sessions_account ON sessions(account_id);

-- A code-bearing proof in progress: an enrollment of a new method or a challenge
-- of a registered one.
CREATE TABLE proofs (
    id            TEXT PRIMARY KEY,
    purpose       TEXT NOT NULL,                     -- 'enroll' or 'challenge'
    session_id    TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    account_id    TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    method_id     TEXT,                              -- challenge: the method proven
    destination   TEXT,                              -- enroll: phone or email
    totp_secret   TEXT,                              -- enroll: the new key
    code_hash     TEXT,                              -- sent codes: keyed hash
    code_expires  INTEGER,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_sent_at  INTEGER,
    done          INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);
CREATE INDEX proofs_session ON proofs(session_id);

CREATE TABLE app_passwords (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,               -- HMAC-SHA256 under the server key
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    UNIQUE (account_id, name)
);

-- Fixed-window counters for throttling, shared by every replica.
CREATE TABLE throttles (
    bucket       TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    hits         INTEGER NOT NULL
);

-- First response to a create request carrying an Idempotency-Key. The key itself is
-- stored only as a keyed hash, and the response (which may hold a secret) only
-- encrypted under a key derived from the client's Idempotency-Key: the database alone
-- cannot give it back.
CREATE TABLE idempotency (
    account_id  TEXT NOT NULL,
    idem_key    TEXT NOT NULL,                       -- HMAC of route + client key
    fingerprint TEXT NOT NULL,                       -- SHA-256 of the request body
    status      INTEGER NOT NULL,                    -- 0 while the first request runs
    body        TEXT,                                -- nonce + ChaCha20-Poly1305 ciphertext, hex
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (account_id, idem_key)
);

-- Demo mode: every message that would have been sent.
CREATE TABLE outbox (
    id          TEXT PRIMARY KEY,
    channel     TEXT NOT NULL,
    destination TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
