pub type DB = sqlx::Postgres;
pub const IS_PG: bool = true;

#[path = "store.rs"]
mod store;
pub use store::Store;
