-- Issue 19 parts 3-5: appreciations and the counselor hand-off.

-- An appreciation is its author's: a private draft (no space) until sent, then
-- shown to the partner of the space it was sent in. `kept` is the partner's
-- choice to keep it; it lapses with the space (leaving detaches the row).
CREATE TABLE appreciations (
    id TEXT PRIMARY KEY NOT NULL,
    author_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    couple_id TEXT REFERENCES couples(id) ON DELETE SET NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'sent')),
    body TEXT NOT NULL,
    kept BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX appreciations_author ON appreciations(author_id, created_at);
CREATE INDEX appreciations_couple ON appreciations(couple_id, status, sent_at);

-- The optional appreciation prompt: a row means the person turned it on.
CREATE TABLE appreciation_prompts (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    updated_at BIGINT NOT NULL
);

-- The counselor hand-off: one summary per space, prepared together. Every
-- change bumps `version` and clears both approvals; once both approved the
-- same version with the same content digest, `final_content` holds exactly
-- that content (JSON), which the printable page and the links show. It
-- belongs to the pair: it goes when either partner leaves.
CREATE TABLE handoffs (
    couple_id TEXT PRIMARY KEY NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    final_content TEXT,
    final_version BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Each partner's choices; the summary holds every item either chose.
CREATE TABLE handoff_items (
    couple_id TEXT NOT NULL REFERENCES handoffs(couple_id) ON DELETE CASCADE,
    item_key TEXT NOT NULL,
    chosen_by TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    chosen_at BIGINT NOT NULL,
    PRIMARY KEY (couple_id, item_key, chosen_by)
);

CREATE TABLE handoff_approvals (
    couple_id TEXT NOT NULL REFERENCES handoffs(couple_id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    digest TEXT NOT NULL,
    approved_at BIGINT NOT NULL,
    PRIMARY KEY (couple_id, user_id)
);

-- Links for a counselor: only the SHA-256 digest of the token is kept.
CREATE TABLE handoff_links (
    id TEXT PRIMARY KEY NOT NULL,
    couple_id TEXT NOT NULL REFERENCES handoffs(couple_id) ON DELETE CASCADE,
    token_digest TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX handoff_links_couple ON handoff_links(couple_id);
