-- Web Push and the email digest (issue 14, parts 4 and 5).

-- The server's VAPID key pair (P-256), made on first start and shared by every
-- server of the deployment: one row, inserted only if absent.
CREATE TABLE push_vapid (
    id BIGINT PRIMARY KEY NOT NULL CHECK (id = 1),
    -- The private scalar, 32 bytes, base64url without padding.
    private_key TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- One row per device that accepted notifications. An endpoint belongs to one
-- person: subscribing it again moves it to whoever subscribed last (the browser
-- is theirs now). The browser session that created it: signing that session out
-- (or quick exit, or signing out everywhere) deletes the subscription.
CREATE TABLE push_subscriptions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    endpoint TEXT NOT NULL UNIQUE,
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL,
    name TEXT NOT NULL,
    session_hash TEXT REFERENCES sessions(id_hash) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX push_subscriptions_user ON push_subscriptions(user_id);
CREATE INDEX push_subscriptions_session ON push_subscriptions(session_hash);

-- What notifies. No row: every kind, neutral text, no quiet hours, no digest.
CREATE TABLE notify_prefs (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- The kinds that notify, as a comma list of waiting kinds.
    kinds TEXT NOT NULL,
    detail BOOLEAN NOT NULL DEFAULT FALSE,
    -- Minutes after local midnight; both NULL when there are no quiet hours.
    quiet_start BIGINT CHECK (quiet_start BETWEEN 0 AND 1439),
    quiet_end BIGINT CHECK (quiet_end BETWEEN 0 AND 1439),
    digest TEXT NOT NULL DEFAULT 'off' CHECK (digest IN ('off', 'daily', 'weekly')),
    updated_at BIGINT NOT NULL
);

-- The push outbox: one row per (device, waiting item) through the unique key,
-- claimed with a lease so several servers send each push exactly once.
CREATE TABLE push_outbox (
    id TEXT PRIMARY KEY NOT NULL,
    subscription_id TEXT NOT NULL REFERENCES push_subscriptions(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    item_key TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    claimed_by TEXT,
    claimed_until BIGINT,
    sent_at BIGINT,
    gave_up_at BIGINT,
    last_error TEXT,
    UNIQUE (subscription_id, item_key)
);
CREATE INDEX push_outbox_user ON push_outbox(user_id, next_attempt_at) WHERE sent_at IS NULL AND gave_up_at IS NULL;

-- The digest outbox: one row per (person, period), e.g. 'digest:<user>:2026-12-05'.
CREATE TABLE digest_outbox (
    id TEXT PRIMARY KEY NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    claimed_by TEXT,
    claimed_until BIGINT,
    sent_at BIGINT,
    gave_up_at BIGINT,
    last_error TEXT
);
CREATE INDEX digest_outbox_pending ON digest_outbox(next_attempt_at) WHERE sent_at IS NULL AND gave_up_at IS NULL;
