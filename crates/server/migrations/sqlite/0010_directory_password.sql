-- When the directory last saw the person's password changed, as it says it
-- (pwdChangedTime, Active Directory's pwdLastSet): a new value is a password changed
-- there, and the person's app passwords then follow their policy (revoked unless kept).
ALTER TABLE accounts ADD COLUMN directory_password_at TEXT;
