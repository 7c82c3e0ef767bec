-- People from the organization's directory (credentials/directory.rs): their account is
-- keyed by the directory's stable id (entryUUID, objectGUID), so a renamed person keeps
-- it; what the directory last said of them, and when. NULL on every local account.
-- A directory person's password_hash is empty: their password is checked by the
-- directory, never stored here.
ALTER TABLE accounts ADD COLUMN directory_id TEXT;
ALTER TABLE accounts ADD COLUMN directory_status TEXT;      -- active, locked, disabled, deleted
ALTER TABLE accounts ADD COLUMN directory_seen_at INTEGER;  -- when the directory said so
CREATE UNIQUE INDEX accounts_directory_id ON accounts(directory_id);
