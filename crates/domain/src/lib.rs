//! Rekindle's rules as plain types and functions: who may see what, how a couple's
//! journey through the seven steps is derived from what they did, and the checks
//! on accounts and invitations. No I/O lives here, so every rule is testable alone.

pub mod account;
pub mod appreciation;
pub mod board;
pub mod checkin;
pub mod handoff;
pub mod invitation;
pub mod journey;
pub mod plan;
pub mod questions;
pub mod safety;
pub mod space;
pub mod stored;
pub mod talk;
pub mod visibility;
pub mod waiting;

pub use visibility::{Reveal, Visibility};
