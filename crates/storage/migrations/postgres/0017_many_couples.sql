-- Issue 18: pages in an instance that hosts many couples. The count of what
-- waits finds an agreement due for its follow-up by its problem, but the only
-- index by problem covers open agreements (draft or active), and SQLite cannot
-- tell that "status = 'active'" falls inside it, so it read every agreement of
-- every couple on each count. An index by problem serves every status.
CREATE INDEX board_agreements_problem ON board_agreements(problem_id, status);

-- Every read of a page finds one couple's rows through an index. PostgreSQL's
-- default cost for reading a page out of order (4.0, set for spinning disks)
-- made it read a whole table instead once the tables held many couples: the
-- plan's done marks of 200 couples were read in full on every plan page (85 ms
-- instead of 3 ms). 1.1 is the usual value for SSDs and for data that stays in
-- memory. Set on the database, so an operator can still change it
-- (ALTER DATABASE … SET random_page_cost = …); skipped when Rekindle's role
-- does not own the database (docs/operations.md says what to set then).
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET random_page_cost = 1.1', current_database());
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'random_page_cost left as it is: this role does not own the database';
END
$$;
