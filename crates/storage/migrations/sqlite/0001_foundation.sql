-- Times are unix milliseconds; ids are random, unguessable strings.
CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    display_name TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expiry ON sessions(expires_at);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE couples (
    id TEXT PRIMARY KEY NOT NULL,
    created_at BIGINT NOT NULL
);

-- The primary key on user_id is what keeps a person in at most one space.
CREATE TABLE memberships (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    couple_id TEXT NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    joined_at BIGINT NOT NULL
);
CREATE INDEX memberships_couple ON memberships(couple_id);

CREATE TABLE invitations (
    id TEXT PRIMARY KEY NOT NULL,
    couple_id TEXT NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX invitations_couple ON invitations(couple_id);

-- couple_id records the space an entry was shared in; a partner sees a shared
-- entry only while both are members of that space.
CREATE TABLE journal_entries (
    id TEXT PRIMARY KEY NOT NULL,
    owner_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    couple_id TEXT REFERENCES couples(id) ON DELETE SET NULL,
    visibility TEXT NOT NULL CHECK (visibility IN ('private', 'shared')),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX journal_owner ON journal_entries(owner_id, created_at);
CREATE INDEX journal_couple ON journal_entries(couple_id, visibility);
