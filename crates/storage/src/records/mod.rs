//! Rows as the rest of the application sees them, one file per aggregate (as in
//! `backend/store/`); all re-exported at the crate root.

mod appreciations;
mod board;
mod checkins;
mod handoff;
mod invitations;
mod journal;
mod people;
mod plan;
mod push;
mod questions;
mod safety;
mod space;
mod talk;

pub use appreciations::*;
pub use board::*;
pub use checkins::*;
pub use handoff::*;
pub use invitations::*;
pub use journal::*;
pub use people::*;
pub use plan::*;
pub use push::*;
pub use questions::*;
pub use safety::*;
pub use space::*;
pub use talk::*;
