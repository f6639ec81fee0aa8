-- Step 6: the action plan, reminders and the calendar feed.
-- couple_id is cleared when the pair splits: the creator keeps the action as
-- history, and it is never opened to a later partner.
CREATE TABLE plan_actions (
    id TEXT PRIMARY KEY NOT NULL,
    couple_id TEXT REFERENCES couples(id) ON DELETE SET NULL,
    created_by TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- NULL when it belongs to both partners.
    owner_id TEXT REFERENCES users(id) ON DELETE CASCADE,
    -- The agreement it came from (the problem board's table; no foreign key on purpose).
    agreement_id TEXT,
    title TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    -- The first (or only) date, YYYY-MM-DD, local to each person.
    due_date TEXT NOT NULL,
    -- An RFC 5545 RRULE value, or NULL for a one-off.
    rrule TEXT,
    assignment TEXT NOT NULL CHECK (assignment IN ('proposed', 'accepted', 'declined')),
    answered_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX plan_actions_couple ON plan_actions(couple_id, due_date);
CREATE INDEX plan_actions_creator ON plan_actions(created_by);

-- Every done / undo, kept as history; the latest per occurrence decides.
CREATE TABLE plan_done_events (
    id TEXT PRIMARY KEY NOT NULL,
    action_id TEXT NOT NULL REFERENCES plan_actions(id) ON DELETE CASCADE,
    occurrence TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    done BOOLEAN NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX plan_done_events_action ON plan_done_events(action_id, occurrence, at);

-- Opt-in per kind; no row means no reminders.
CREATE TABLE reminder_prefs (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kinds TEXT NOT NULL DEFAULT '',
    -- Minutes after local midnight.
    minute_of_day BIGINT NOT NULL CHECK (minute_of_day BETWEEN 0 AND 1439),
    updated_at BIGINT NOT NULL
);

-- Only a digest of the secret feed token is kept.
CREATE TABLE calendar_feeds (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    detailed BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);

-- The reminder outbox: one row per (person, kind, local date) through the unique
-- key, claimed in a transaction so several servers send each exactly once.
CREATE TABLE reminder_outbox (
    id TEXT PRIMARY KEY NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    local_date TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    claimed_by TEXT,
    claimed_until BIGINT,
    sent_at BIGINT,
    gave_up_at BIGINT,
    last_error TEXT
);
CREATE INDEX reminder_outbox_pending ON reminder_outbox(next_attempt_at) WHERE sent_at IS NULL AND gave_up_at IS NULL;
