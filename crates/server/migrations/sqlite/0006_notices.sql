-- Notices: "an app password was created", "a method was registered", each with a
-- single-use, expiring "this wasn't me" link (its token stored as a keyed hash).
CREATE TABLE notices (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    what        TEXT NOT NULL,              -- 'app_password' or 'method'
    target_id   TEXT NOT NULL,              -- the app password's or method's id
    target_name TEXT NOT NULL,              -- as it was named, for the page the link opens
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);
CREATE INDEX notices_expiry ON notices(expires_at);
