//! The language coach on the API (`rekindle_coach` does the reading; it has no I/O).
//! Pages call `rekindle_coach` directly while rendering.

pub mod api;
pub mod notes;

/// The coach's fill-in I-statement, ready for a page rendered on the server (the no-JS
/// coach path): the same fields the script's builder shows, as plain text.
pub struct BuilderView {
    /// "When I see…" or "When I hear…".
    pub lead: &'static str,
    /// The writer's own observation; empty when they should fill it in.
    pub observation: String,
    pub feeling: &'static str,
    /// Other feelings to choose from (the prefilled one left out).
    pub other_feelings: String,
    pub need: &'static str,
    /// Other needs to choose from (the prefilled one left out).
    pub other_needs: String,
    /// What to ask for, after "Would you"; empty when the writer should say it.
    pub request: String,
    /// The whole sentence, only when it is complete and grammatical.
    pub text: Option<String>,
}

impl BuilderView {
    pub fn from_builder(b: &rekindle_coach::Builder) -> BuilderView {
        let others = |chosen: &str, all: &[&'static str]| {
            all.iter()
                .filter(|c| **c != chosen)
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        };
        BuilderView {
            lead: if b.sense == "hear" {
                "When I hear…"
            } else {
                "When I see…"
            },
            observation: b.observation.clone(),
            feeling: b.feeling,
            other_feelings: others(b.feeling, &b.feeling_choices),
            need: b.need,
            other_needs: others(b.need, &b.need_choices),
            request: b.request.trim_end_matches(['?', '.', '!']).to_string(),
            text: b.text.clone(),
        }
    }
}
