-- Issue 21: each person's own choice of question decks. No row: the deck's
-- default (on, except the opt-in decks). A deck is asked of a couple only while
-- it is on for both; the pair never learns which of them switched it off.
-- A personal setting: it stays with the person when they leave a space and goes
-- with them when they erase their account.
CREATE TABLE question_deck_choices (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    deck TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, deck)
);
