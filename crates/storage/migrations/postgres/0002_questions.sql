-- Step 2: question decks. The questions themselves ship in the binary; the
-- database records which were asked of a couple and who answered what.
CREATE TABLE question_settings (
    couple_id TEXT PRIMARY KEY NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    release_hour BIGINT NOT NULL
);

-- couple_id is cleared when the pair splits, so answers stay with their
-- authors but are never opened to a later partner.
CREATE TABLE couple_questions (
    id TEXT PRIMARY KEY NOT NULL,
    couple_id TEXT REFERENCES couples(id) ON DELETE SET NULL,
    question_id TEXT NOT NULL,
    released_at BIGINT NOT NULL,
    UNIQUE (couple_id, question_id)
);
CREATE INDEX couple_questions_couple ON couple_questions(couple_id, released_at);

CREATE TABLE answers (
    id TEXT PRIMARY KEY NOT NULL,
    couple_question_id TEXT NOT NULL REFERENCES couple_questions(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    skipped BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (couple_question_id, user_id)
);
CREATE INDEX answers_user ON answers(user_id);

CREATE TABLE answer_reactions (
    answer_id TEXT NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('thanks', 'heart')),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (answer_id, user_id, kind)
);

CREATE TABLE question_replies (
    id TEXT PRIMARY KEY NOT NULL,
    couple_question_id TEXT NOT NULL REFERENCES couple_questions(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX question_replies_cq ON question_replies(couple_question_id, created_at);
