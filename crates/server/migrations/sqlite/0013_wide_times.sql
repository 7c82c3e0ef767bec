-- PostgreSQL's 0013 widens 0011's time columns to 64 bits; SQLite's integers are always
-- 64-bit, so nothing changes here. Kept so a number means the same change on both.
SELECT 1;
