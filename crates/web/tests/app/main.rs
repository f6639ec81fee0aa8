//! Rekindle's web integration tests, one module per area, linked into one test
//! binary so the suite links the app once (`cargo test -p rekindle-web --test app`).

mod api;
mod authorization;
mod board;
mod board_browser;
mod browser;
mod checkins;
mod forms;
mod plan;
mod plan_browser;
mod questions;
mod safety;
mod talk;
mod talk_browser;
