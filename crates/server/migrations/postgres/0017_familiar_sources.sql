-- Smart lockout: where a person signed in with their password lately (their office,
-- their home). Wrong passwords from anywhere else spend a budget of their own, so a
-- spray of guesses at a name cannot keep its owner from signing in from a familiar
-- network. `source` is a keyed hash of the username and the client's network (the
-- IPv4 address or IPv6 /64), never the address; rows older than the familiarity
-- window are swept.
CREATE TABLE familiar_sources (
    username TEXT NOT NULL,
    source   TEXT NOT NULL,
    seen_at  BIGINT NOT NULL,
    PRIMARY KEY (username, source)
);
