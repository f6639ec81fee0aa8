-- Issue 19, parts 1 and 2. A talk held aloud needs no table of its own: its mode
-- is in the first event of its log, and its log holds turns, never words.

-- The flooding check: a private 0–10 "how calm or stirred up am I?" given before
-- a talk, at a change of floor or after it. It belongs to its author alone: every
-- query reads it by the author's id; erasing the author deletes it; when the pair
-- ends it stays with its author (the talk keeps its other rows as before).
CREATE TABLE talk_calm (
    talk_id TEXT NOT NULL REFERENCES talks(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- 'before', 'floor-<n>' (the n-th change of floor) or 'after'.
    moment TEXT NOT NULL,
    value BIGINT NOT NULL CHECK (value BETWEEN 0 AND 10),
    at BIGINT NOT NULL,
    PRIMARY KEY (talk_id, user_id, moment)
);
CREATE INDEX talk_calm_user ON talk_calm(user_id, talk_id);

-- Each person's threshold for suggesting a break (default 7 when absent).
CREATE TABLE calm_thresholds (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    threshold BIGINT NOT NULL CHECK (threshold BETWEEN 1 AND 10),
    updated_at BIGINT NOT NULL
);
