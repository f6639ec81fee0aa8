-- The talk room (steps 1, 3 and 4): the couple's ground rules, each talk, its
-- event log and each partner's reflection afterwards.

-- Every edit is a new version; both partners accept the current one before a talk.
-- The rules belong to the pair: when one leaves they go (a later pair starts afresh).
CREATE TABLE ground_rules (
    couple_id TEXT NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    body TEXT NOT NULL,
    -- The couple's shortest time-out in minutes (never below 20).
    min_time_out BIGINT NOT NULL CHECK (min_time_out BETWEEN 20 AND 1440),
    created_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (couple_id, version)
);

CREATE TABLE ground_rule_acceptances (
    couple_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    accepted_at BIGINT NOT NULL,
    PRIMARY KEY (couple_id, version, user_id),
    FOREIGN KEY (couple_id, version) REFERENCES ground_rules(couple_id, version) ON DELETE CASCADE
);

-- A talk belongs to both partners; either may delete it, and then it is gone for
-- both. Erasing either partner erases the talk (it holds their words).
-- couple_id is cleared when the pair splits: the talk then opens to nobody.
CREATE TABLE talks (
    id TEXT PRIMARY KEY NOT NULL,
    couple_id TEXT REFERENCES couples(id) ON DELETE SET NULL,
    requested_by TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    partner_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    topic TEXT NOT NULL,
    -- Kept in step with the log for listings: the log is the truth.
    phase TEXT NOT NULL,
    scheduled_at BIGINT,
    began_at BIGINT,
    last_seq BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX talks_couple ON talks(couple_id, created_at);

-- The log: one row per event, numbered 1, 2, 3 … per talk.
CREATE TABLE talk_events (
    talk_id TEXT NOT NULL REFERENCES talks(id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    by_user TEXT NOT NULL,
    kind TEXT NOT NULL,
    -- The event as JSON (rekindle_domain::talk::Event).
    body TEXT NOT NULL,
    -- For the journey: 'harsh' / 'soft' on statements, the listener on confirmations.
    mark TEXT,
    PRIMARY KEY (talk_id, seq)
);
CREATE INDEX talk_events_kind ON talk_events(kind, talk_id);

-- Private to its author until shared.
CREATE TABLE talk_reflections (
    talk_id TEXT NOT NULL REFERENCES talks(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    understood TEXT NOT NULL,
    feel_now TEXT NOT NULL,
    shared BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (talk_id, user_id)
);
