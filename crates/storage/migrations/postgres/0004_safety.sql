-- The private safety check: rows belong to one person and are read only by them.
CREATE TABLE safety_screens (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    hurt BIGINT NOT NULL,
    insult BIGINT NOT NULL,
    threaten BIGINT NOT NULL,
    scream BIGINT NOT NULL,
    total BIGINT NOT NULL,
    positive BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX safety_screens_user ON safety_screens(user_id, created_at);

CREATE TABLE safety_offers (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    postponed_until BIGINT NOT NULL
);

-- A paused space shows both partners only that it is paused; who paused it is
-- read only when that person asks whether they may resume.
ALTER TABLE couples ADD COLUMN paused_by TEXT REFERENCES users(id) ON DELETE SET NULL;

-- One-line notices for one person, e.g. that their partner left.
CREATE TABLE notices (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX notices_user ON notices(user_id);
