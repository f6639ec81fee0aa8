-- The operator kit (issue 18): password reset links and rate limits shared by
-- every server of a deployment.

-- A single-use link to set a new password, valid for one hour. Only the digest
-- of the secret in the link is kept. Using it deletes every link of the person.
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX password_resets_user ON password_resets(user_id);
CREATE INDEX password_resets_expiry ON password_resets(expires_at);

-- Fixed-window attempt counters (sign-in, sign-up, password reset requests),
-- one row per key, so that N servers do not allow N times the attempts. The
-- keys name an address or an email, so rows go once their window is over.
CREATE TABLE rate_limits (
    bucket TEXT PRIMARY KEY NOT NULL,
    window_start BIGINT NOT NULL,
    hits BIGINT NOT NULL
);
CREATE INDEX rate_limits_window ON rate_limits(window_start);
