//! The two backends. `backend/store/` is compiled once per database so the SQL
//! and the use-case code exist once; only `DB` and `IS_PG` differ.

pub mod postgres;
pub mod sqlite;
