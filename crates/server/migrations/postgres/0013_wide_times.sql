-- Times are Unix seconds in 64-bit integers, as everywhere else. 0009
-- (accounts.directory_seen_at) and 0011 (the single sign-on tables) declared theirs
-- INTEGER: 32 bits on PostgreSQL, which runs out in January 2038. SQLite's integers are
-- always 64-bit (its 0013 changes nothing). tests/api/schema.rs now compares widths.
ALTER TABLE accounts ALTER COLUMN directory_seen_at TYPE BIGINT;
ALTER TABLE sso_links ALTER COLUMN created_at TYPE BIGINT;
ALTER TABLE sso_logins ALTER COLUMN expires_at TYPE BIGINT;
ALTER TABLE sso_handoffs ALTER COLUMN mfa_at TYPE BIGINT;
ALTER TABLE sso_handoffs ALTER COLUMN expires_at TYPE BIGINT;
