//! The practice page (say back sample statements) and the step guides. Both
//! are for anyone signed in, with or without a partner; nothing is stored.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use rekindle_domain::journey::STEPS;
use serde::Deserialize;

use super::{Feedback, MAX_PRACTICE_CHARS, SAMPLES, Sample};
use crate::http::auth::SignedIn;
use crate::http::error::{AppError, FieldErrors, PageResult};
use crate::state::AppState;
use crate::view::{Chrome, field_error, render, render_with_status};

#[derive(Template)]
#[template(path = "practice.html")]
struct PracticePage {
    c: Chrome,
    samples: &'static [Sample],
    current: usize,
    sample: &'static Sample,
    paraphrase: String,
    feedback: Option<Feedback>,
    errors: FieldErrors,
}

impl PracticePage {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, f)
    }
}

#[derive(Deserialize)]
pub struct Which {
    #[serde(default)]
    s: Option<String>,
}

fn pick(s: Option<&str>) -> Result<usize, AppError> {
    match s {
        None | Some("") => Ok(0),
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|i| *i < SAMPLES.len())
            .ok_or_else(|| AppError::BadRequest("There is no such sample statement.".into())),
    }
}

pub async fn show(
    State(_state): State<AppState>,
    who: SignedIn,
    Query(q): Query<Which>,
) -> PageResult {
    let current = pick(q.s.as_deref())?;
    let sample = super::sample(current).ok_or(AppError::NotFound)?;
    render(&PracticePage {
        c: Chrome::signed_in("Practise listening", &who),
        samples: &SAMPLES,
        current,
        sample,
        paraphrase: rekindle_coach::paraphrase(sample.text),
        feedback: None,
        errors: FieldErrors::new(),
    })
}

#[derive(Deserialize)]
pub struct PracticeForm {
    #[serde(default)]
    s: String,
    #[serde(default)]
    paraphrase: String,
}

pub async fn check(
    State(_state): State<AppState>,
    who: SignedIn,
    Form(f): Form<PracticeForm>,
) -> PageResult {
    let current = pick(Some(&f.s))?;
    let sample = super::sample(current).ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::new();
    if f.paraphrase.trim().is_empty() {
        errors.insert("paraphrase", "Say it back in your own words first.".into());
    } else if f.paraphrase.chars().count() > MAX_PRACTICE_CHARS {
        errors.insert(
            "paraphrase",
            "Keep it short: a sentence or two is a good paraphrase.".into(),
        );
    }
    let (status, feedback) = if errors.is_empty() {
        (StatusCode::OK, Some(super::feedback(sample, &f.paraphrase)))
    } else {
        (StatusCode::UNPROCESSABLE_ENTITY, None)
    };
    render_with_status(
        status,
        &PracticePage {
            c: Chrome::signed_in("Practise listening", &who),
            samples: &SAMPLES,
            current,
            sample,
            paraphrase: f.paraphrase,
            feedback,
            errors,
        },
    )
}

pub struct Guide {
    pub number: u8,
    pub title: &'static str,
    pub purpose: &'static str,
    pub exercise: &'static str,
    pub alone: &'static str,
}

#[derive(Template)]
#[template(path = "steps.html")]
struct StepsPage {
    c: Chrome,
    guides: Vec<Guide>,
    has_partner: bool,
}

pub async fn steps(State(state): State<AppState>, who: SignedIn) -> PageResult {
    let space = state.repo.space_of(&who.user.id).await?;
    render(&StepsPage {
        c: Chrome::signed_in("The seven steps", &who),
        guides: STEPS
            .iter()
            .map(|s| Guide {
                number: s.number,
                title: s.title,
                purpose: s.purpose,
                exercise: s.exercise,
                alone: super::alone_note(s.number),
            })
            .collect(),
        has_partner: space.is_some_and(|s| s.partner.is_some()),
    })
}
