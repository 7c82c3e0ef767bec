-- The person's default method (Security info): the one offered first at the next
-- challenge is the method with the highest `preferred` (a per-account counter: 1 for
-- the first method registered, raised by each "make default"), else the oldest. Being
-- an order, not a pointer, the default cannot name a removed method.
ALTER TABLE methods ADD COLUMN preferred INTEGER;
