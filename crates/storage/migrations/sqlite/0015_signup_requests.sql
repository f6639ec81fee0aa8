-- Sign-up confirmation (issue 17). With a mail server configured, signing up
-- mails a link instead of answering "an account with this email exists", so
-- nobody learns from the form whether someone has an account here. The pending
-- sign-up waits here until its link is used (or expires); only a digest of the
-- link's token is kept, and one pending sign-up per address.
CREATE TABLE signup_requests (
    token_hash TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX signup_requests_expiry ON signup_requests(expires_at);
