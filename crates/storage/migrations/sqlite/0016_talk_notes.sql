-- Issue 19, part 1: optional one-line notes in a talk held aloud. A note is its
-- author's: every query reads it by the author's id, so a private one is never
-- read for anyone else. Sharing one stamps `shared_at` and puts its words in the
-- talk's log (a `note_shared` event by the author), which is how the partner
-- sees it, live and in the talk's history; the private rows never leave here.
-- Leaving keeps the author's notes with them; erasing the author deletes them;
-- deleting the talk deletes them.
CREATE TABLE talk_notes (
    id TEXT PRIMARY KEY NOT NULL,
    talk_id TEXT NOT NULL REFERENCES talks(id) ON DELETE CASCADE,
    author_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    shared_at BIGINT
);
CREATE INDEX talk_notes_author ON talk_notes(author_id, talk_id);
