-- App passwords unused (or never used) for this many days are removed by the sweeper;
-- NULL: kept however long they rest.
ALTER TABLE accounts ADD COLUMN app_password_unused_days INTEGER;
