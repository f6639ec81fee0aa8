//! The coach's notes on a text a person writes for their partner (an
//! appreciation, a problem's title), for the API and the pages. Each tool adds
//! the notes of its own rules to [`problem_notes`].

use serde::Serialize;
use utoipa::ToSchema;

/// One of the coach's notes on a text. Advice only: nothing is ever blocked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoachNote {
    /// blame | absolute | criticism | contempt | defensiveness | … ; on an
    /// appreciation also hidden_barb
    pub kind: String,
    /// Character offsets into the text.
    pub start: usize,
    pub end: usize,
    pub excerpt: String,
    pub explanation: String,
}

/// The characters `start..end` of `text` (character offsets, clipped to its end).
pub fn excerpt(text: &str, start: usize, end: usize) -> String {
    text.chars()
        .skip(start)
        .take(end.saturating_sub(start))
        .collect()
}

/// The coach's problem findings, in the coach's order (strengths and safety
/// notes left out: such a text is shared with the partner, the safety card
/// belongs to the writer's typing).
pub fn problem_notes(text: &str) -> Vec<CoachNote> {
    rekindle_coach::findings(text)
        .into_iter()
        .filter(|f| f.kind.is_problem())
        .map(|f| CoachNote {
            kind: f.kind.as_str().to_owned(),
            start: f.start,
            end: f.end,
            excerpt: excerpt(text, f.start, f.end),
            explanation: f.explanation.to_string(),
        })
        .collect()
}
