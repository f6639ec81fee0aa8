use crate::{Finding, Pronouns};
pub(crate) fn find(_t: &str, _n: &crate::norm::Norm) -> Vec<Finding> { Vec::new() }
pub(crate) fn pronouns(_t: &str) -> Pronouns { Pronouns::default() }
