-- Step 7: regular check-ins. The instruments ship in the binary; the database
-- keeps the couple's rhythm, each check-in, and what each partner submitted.
CREATE TABLE checkin_schedules (
    couple_id TEXT PRIMARY KEY NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    rhythm TEXT NOT NULL CHECK (rhythm IN ('weekly', 'fortnightly', 'monthly')),
    -- 0 Monday … 6 Sunday; the hour is local to each partner.
    weekday BIGINT NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    hour BIGINT NOT NULL CHECK (hour BETWEEN 0 AND 23),
    -- When this rhythm was chosen: missed check-ins are counted from here.
    anchor_at BIGINT NOT NULL
);

-- couple_id is cleared when the pair splits, so submissions stay with their
-- authors but are never opened to a later partner.
CREATE TABLE checkins (
    id TEXT PRIMARY KEY NOT NULL,
    couple_id TEXT REFERENCES couples(id) ON DELETE SET NULL,
    opened_at BIGINT NOT NULL,
    closes_at BIGINT NOT NULL,
    -- Set when the second partner submits.
    completed_at BIGINT
);
CREATE INDEX checkins_couple ON checkins(couple_id, opened_at);

CREATE TABLE checkin_submissions (
    id TEXT PRIMARY KEY NOT NULL,
    checkin_id TEXT NOT NULL REFERENCES checkins(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csi1 BIGINT NOT NULL CHECK (csi1 BETWEEN 0 AND 6),
    csi2 BIGINT NOT NULL CHECK (csi2 BETWEEN 0 AND 5),
    csi3 BIGINT NOT NULL CHECK (csi3 BETWEEN 0 AND 5),
    csi4 BIGINT NOT NULL CHECK (csi4 BETWEEN 0 AND 5),
    tech1 BIGINT NOT NULL CHECK (tech1 BETWEEN 0 AND 5),
    tech2 BIGINT NOT NULL CHECK (tech2 BETWEEN 0 AND 5),
    tech3 BIGINT NOT NULL CHECK (tech3 BETWEEN 0 AND 5),
    tech4 BIGINT NOT NULL CHECK (tech4 BETWEEN 0 AND 5),
    hours_together BIGINT NOT NULL CHECK (hours_together BETWEEN 0 AND 168),
    hours_device_free BIGINT NOT NULL CHECK (hours_device_free BETWEEN 0 AND 168),
    appreciation TEXT NOT NULL,
    went_well TEXT NOT NULL,
    topic TEXT NOT NULL,
    -- The author's numbers are never returned to anyone else when this is set.
    scores_private BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (checkin_id, user_id)
);
CREATE INDEX checkin_submissions_user ON checkin_submissions(user_id, created_at);

-- The closing question of the meeting: "what can I do to make you feel loved
-- this week?". Each partner's answer; to become actions once the plan exists.
CREATE TABLE checkin_loved (
    checkin_id TEXT NOT NULL REFERENCES checkins(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (checkin_id, user_id)
);
