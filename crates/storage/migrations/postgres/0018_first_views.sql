-- Issue 18: the first view of a page after a change, when nothing is kept.

-- The home page lists the couple's talks that are not over yet, and the count
-- of what waits looks for talks asked for or being arrived at. Both found them
-- through the index of every talk of the couple and read each one, though
-- after a year nearly all are over. An index of open talks holds only those.
CREATE INDEX talks_open ON talks(couple_id) WHERE phase <> 'ended';

-- The plan page shows the newest done marks: it orders all of the couple's
-- marks by time (some 4,000 after a year) and keeps 100, looking up every
-- mark's row on the way. This index holds, per action in time order, all that
-- ordering needs, so it reads no rows (0.9 ms became 0.25 ms on SQLite).
CREATE INDEX plan_done_events_newest ON plan_done_events(action_id, at, id, occurrence, user_id);
