-- PostgreSQL: the same tables as migrations/sqlite/ (0001 + 0002), so the same
-- statements run on both. Times are unix seconds (BIGINT); flags are 0/1 (BIGINT), as
-- on SQLite, so one query text serves both. Every future migration is written for both.

CREATE TABLE accounts (
    id                    TEXT PRIMARY KEY,
    username              TEXT NOT NULL UNIQUE,      -- lower-cased
    display_name          TEXT NOT NULL,
    password_hash         TEXT NOT NULL,             -- Argon2id PHC string
    disabled              BIGINT NOT NULL DEFAULT 0,
    mfa_required          BIGINT NOT NULL DEFAULT 1,
    app_passwords_allowed BIGINT NOT NULL DEFAULT 1,
    allowed_methods       TEXT NOT NULL DEFAULT 'totp,sms,voice,email',
    created_at            BIGINT NOT NULL,
    mfa_failures          BIGINT NOT NULL DEFAULT 0  -- wrong MFA codes in a row
);

CREATE TABLE methods (
    id             TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    label          TEXT NOT NULL,                    -- masked, shown to the person
    destination    TEXT,                             -- phone or email, to send codes
    totp_secret    TEXT,                             -- sealed (v1:…), totp only
    last_totp_step BIGINT,                           -- replay protection
    created_at     BIGINT NOT NULL
);
CREATE INDEX methods_account ON methods(account_id);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,               -- SHA-256 of the bearer token
    account_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    mfa_at       BIGINT                              -- last successful MFA (step-up)
);
CREATE INDEX sessions_account ON sessions(account_id);
CREATE INDEX sessions_seen ON sessions(last_seen_at);

CREATE TABLE proofs (
    id            TEXT PRIMARY KEY,
    purpose       TEXT NOT NULL,                     -- 'enroll' or 'challenge'
    session_id    TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    account_id    TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    method_id     TEXT,
    destination   TEXT,
    totp_secret   TEXT,                              -- sealed; cleared when the proof closes
    code_hash     TEXT,
    code_expires  BIGINT,
    attempts      BIGINT NOT NULL DEFAULT 0,
    last_sent_at  BIGINT,
    done          BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL DEFAULT 0,
    step_up_at    BIGINT
);
CREATE INDEX proofs_session ON proofs(session_id);
CREATE INDEX proofs_expiry ON proofs(expires_at);

CREATE TABLE app_passwords (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,               -- HMAC-SHA256 under the server key
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    UNIQUE (account_id, name)
);

CREATE TABLE throttles (
    bucket       TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    hits         BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX throttles_expiry ON throttles(expires_at);

CREATE TABLE idempotency (
    account_id  TEXT NOT NULL,
    idem_key    TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status      BIGINT NOT NULL,
    body        TEXT,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (account_id, idem_key)
);

CREATE TABLE outbox (
    id          TEXT PRIMARY KEY,
    channel     TEXT NOT NULL,
    destination TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
