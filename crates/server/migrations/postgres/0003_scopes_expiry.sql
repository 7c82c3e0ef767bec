-- App passwords beyond every peer: scopes, expiry, where and how they were last used.

-- What each app password may be used for (comma-separated scopes: mail, dav, exchange).
ALTER TABLE app_passwords ADD COLUMN scopes TEXT NOT NULL DEFAULT 'mail';
-- When it stops working; NULL: never.
ALTER TABLE app_passwords ADD COLUMN expires_at BIGINT;
-- The end client's address and the protocol of the last use (written with last_used_at).
ALTER TABLE app_passwords ADD COLUMN last_used_ip TEXT;
ALTER TABLE app_passwords ADD COLUMN last_used_protocol TEXT;

-- The admin's narrowing: the scopes app passwords may have, and a maximum lifetime in
-- days (NULL: expiry optional).
ALTER TABLE accounts ADD COLUMN app_password_scopes TEXT NOT NULL DEFAULT 'mail,dav,exchange';
ALTER TABLE accounts ADD COLUMN app_password_max_days BIGINT;
