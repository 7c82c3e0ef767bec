-- A changed primary password revokes the account's app passwords, unless the admin's
-- policy keeps them (Microsoft's behaviour: explicit, never the default).
ALTER TABLE accounts ADD COLUMN keep_app_passwords_on_password_change INTEGER NOT NULL DEFAULT 0;
