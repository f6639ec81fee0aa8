-- Issue 18: pages in an instance that hosts many couples. The count of what
-- waits finds an agreement due for its follow-up by its problem, but the only
-- index by problem covers open agreements (draft or active), and SQLite cannot
-- tell that "status = 'active'" falls inside it, so it read every agreement of
-- every couple on each count. An index by problem serves every status.
CREATE INDEX board_agreements_problem ON board_agreements(problem_id, status);
