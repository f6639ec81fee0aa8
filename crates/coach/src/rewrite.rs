use crate::{Finding, Rewrite};
pub(crate) fn rewrites(_t: &str, _n: &crate::norm::Norm, _f: &[Finding]) -> Vec<Rewrite> { Vec::new() }
pub(crate) fn paraphrase(_t: &str, _n: &crate::norm::Norm, _f: &[Finding]) -> String { String::new() }
