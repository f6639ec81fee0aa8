//! The seven-step home: where the couple stands on each step (derived from what
//! they have done, never a streak), the landing page and the about page.

pub mod page;
