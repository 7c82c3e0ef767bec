-- The audit log of admin actions (the admin API and the command line): who, what,
-- when, from where. No foreign key: the log outlives the accounts it names.
CREATE TABLE audit (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,  -- the order actions were done in
    at          INTEGER NOT NULL,
    credential  TEXT NOT NULL,              -- the admin credential's name, or 'cli'
    actor       TEXT NOT NULL,              -- who acted, as the portal or the shell said
    address     TEXT NOT NULL,              -- the admin call's client address, or 'cli'
    action      TEXT NOT NULL,              -- wire::admin::AuditAction
    account_id  TEXT NOT NULL,
    username    TEXT NOT NULL,
    detail      TEXT NOT NULL
);
CREATE INDEX audit_at ON audit(at);
CREATE INDEX audit_username ON audit(username, at);
