//! The language coach on the API (`rekindle_coach` does the reading; it has no I/O).
//! Pages call `rekindle_coach` directly while rendering.

pub mod api;
