-- "Waiting for you" is derived from each tool's state; only what a partner
-- shared needs a memory of what the person already opened. Keys look like
-- 'shared_entry:<id>'. Erasing the person erases their memory.
CREATE TABLE seen_items (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    item_key TEXT NOT NULL,
    seen_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, item_key)
);

-- "Your devices": a neutral name for each signed-in browser ("Firefox on
-- Android") and when it was last used (refreshed at most every ten minutes).
ALTER TABLE sessions ADD COLUMN device TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT;
