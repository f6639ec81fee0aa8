pub type DB = sqlx::Sqlite;
pub const IS_PG: bool = false;

#[path = "store.rs"]
mod store;
pub use store::Store;
