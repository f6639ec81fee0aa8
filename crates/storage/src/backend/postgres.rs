pub type DB = sqlx::Postgres;
pub const IS_PG: bool = true;

// Compiled once per backend on purpose: one SQL text, two drivers.
#[allow(clippy::duplicate_mod)]
#[path = "store/mod.rs"]
mod store;
pub use store::Store;
