//! Rekindle's web integration tests, one module per area, linked into one test
//! binary so the suite links the app once (`cargo test -p rekindle-web --test app`).
//!
//! All modules share one process. What is process-wide in the app therefore is
//! shared by every test here: the page frame (`set_frame` keeps the first
//! instance name and quick-exit URL: every test runs with the default ones), and
//! the Prometheus recorder (tests read metric *changes*, see `support::metric`).
//! Browser tests take turns through `rekindle_testkit::browser::Driver`.

mod support;

mod api;
mod appreciations;
mod authorization;
mod board;
mod board_browser;
mod browser;
mod checkins;
mod coach_nojs;
mod departure;
mod devices;
mod forms;
mod handoff;
mod interop;
mod journal;
mod kept_reads;
mod layout;
mod pages;
mod plan;
mod plan_browser;
mod push;
mod questions;
mod reset;
mod safety;
mod signals_browser;
mod talk;
mod talk_aloud;
mod talk_aloud_browser;
mod talk_browser;
mod together_browser;
mod trust;
mod waiting;
