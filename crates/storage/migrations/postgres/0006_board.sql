-- Steps 5 and 6: the problem board. A problem belongs to the couple's space
-- (couple_id is cleared when the pair splits, as with check-ins); ideas,
-- ratings, done-flags and follow-up answers belong to their authors and are
-- opened to the partner only by the queries' sealing rules.
CREATE TABLE board_problems (
    id TEXT PRIMARY KEY NOT NULL,
    couple_id TEXT REFERENCES couples(id) ON DELETE SET NULL,
    -- Cleared (with the title) when the proposer erases their account.
    proposed_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    title TEXT NOT NULL,
    stage TEXT NOT NULL CHECK (stage IN ('proposed', 'talk_first', 'brainstorm', 'rating', 'agreed',
                                         'kept', 'dropped', 'withdrawn')),
    -- Ideas and ratings belong to a round; adjusting an agreement starts a new one.
    round BIGINT NOT NULL DEFAULT 1,
    talk_requested_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    talk_requested_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- One problem at a time per couple.
CREATE UNIQUE INDEX board_one_active ON board_problems(couple_id)
    WHERE stage IN ('proposed', 'talk_first', 'brainstorm', 'rating', 'agreed');
CREATE INDEX board_problems_couple ON board_problems(couple_id, created_at);
CREATE INDEX board_problems_proposer ON board_problems(proposed_by);

CREATE TABLE board_options (
    id TEXT PRIMARY KEY NOT NULL,
    problem_id TEXT NOT NULL REFERENCES board_problems(id) ON DELETE CASCADE,
    author_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    round BIGINT NOT NULL,
    -- Brainstorm ideas are sealed until both partners are done with the round;
    -- compromises, written in the open, are not.
    sealed BOOLEAN NOT NULL,
    -- For a compromise: the ids of the options it combines, space-separated.
    combined_from TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX board_options_problem ON board_options(problem_id, created_at);
CREATE INDEX board_options_author ON board_options(author_id);

-- "I am done adding ideas" per partner and round.
CREATE TABLE board_done (
    problem_id TEXT NOT NULL REFERENCES board_problems(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    round BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (problem_id, user_id, round)
);

CREATE TABLE board_ratings (
    option_id TEXT NOT NULL REFERENCES board_options(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    round BIGINT NOT NULL,
    rating BIGINT NOT NULL CHECK (rating BETWEEN 0 AND 10),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (option_id, user_id, round)
);
CREATE INDEX board_ratings_user ON board_ratings(user_id);

-- Agreements are also the outcome history: status and decided_at say how each ended.
CREATE TABLE board_agreements (
    id TEXT PRIMARY KEY NOT NULL,
    problem_id TEXT NOT NULL REFERENCES board_problems(id) ON DELETE CASCADE,
    option_id TEXT REFERENCES board_options(id) ON DELETE SET NULL,
    round BIGINT NOT NULL,
    body TEXT NOT NULL,
    trial_days BIGINT NOT NULL CHECK (trial_days BETWEEN 1 AND 90),
    proposed_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    proposed_at BIGINT NOT NULL,
    confirmed_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    confirmed_at BIGINT,
    follow_up_at BIGINT,
    status TEXT NOT NULL CHECK (status IN ('draft', 'active', 'kept', 'adjusted', 'dropped')),
    decided_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    decided_at BIGINT
);
CREATE UNIQUE INDEX board_one_open_agreement ON board_agreements(problem_id)
    WHERE status IN ('draft', 'active');
CREATE INDEX board_agreements_proposer ON board_agreements(proposed_by);

-- Private until both answered, then opened together.
CREATE TABLE board_followups (
    agreement_id TEXT NOT NULL REFERENCES board_agreements(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    worked TEXT NOT NULL CHECK (worked IN ('yes', 'partly', 'no')),
    note TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (agreement_id, user_id)
);
CREATE INDEX board_followups_user ON board_followups(user_id);
