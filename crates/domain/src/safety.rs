//! The private safety check (HITS: Sherin et al. 1998), scored exactly as
//! published, and what a positive screen means for the person who took it.
//! Nothing here is ever shown to the partner.

pub const HITS_STEM: &str = "How often does your partner…";

/// The four HITS items, in order.
pub const HITS_ITEMS: [&str; 4] = [
    "Physically hurt you?",
    "Insult or talk down to you?",
    "Threaten you with harm?",
    "Scream or curse at you?",
];

/// Answer labels, scored 1 to 5.
pub const HITS_SCALE: [&str; 5] = ["Never", "Rarely", "Sometimes", "Fairly often", "Frequently"];

pub const HITS_CITATION: &str = "Sherin, K. M., Sinacore, J. M., Li, X.-Q., Zitter, R. E., & Shakil, A. (1998). \
HITS: a short domestic violence screening tool for use in a family practice setting. Family Medicine, 30(7), 508–512.";

/// Totals of 11 or more were positive in the English-language validation.
pub const HITS_POSITIVE_TOTAL: u8 = 11;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HitsResult {
    pub answers: [u8; 4],
    pub total: u8,
    /// Total of 11 or more (the published HITS cutoff), or any item answered
    /// "Frequently" — the second rule is Rekindle's own cautious addition, not
    /// part of the published scoring.
    pub positive: bool,
}

/// Scores four answers on the 1–5 scale; `None` if any is out of range.
pub fn score_hits(answers: [u8; 4]) -> Option<HitsResult> {
    if answers.iter().any(|a| !(1..=5).contains(a)) {
        return None;
    }
    let total: u8 = answers.iter().sum();
    let positive = total >= HITS_POSITIVE_TOTAL || answers.contains(&5);
    Some(HitsResult {
        answers,
        total,
        positive,
    })
}

/// How long "not now" postpones the offer.
pub const POSTPONE_DAYS: i64 = 14;

/// Whether to offer the check on the home page: never taken and not postponed, or
/// the postponement has run out.
pub fn offer_check(taken: bool, postponed_until: Option<i64>, now: i64) -> bool {
    !taken && postponed_until.is_none_or(|until| now >= until)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_totals_and_the_published_cutoff() {
        assert_eq!(
            score_hits([1, 1, 1, 1]).map(|r| (r.total, r.positive)),
            Some((4, false))
        );
        assert_eq!(
            score_hits([2, 3, 2, 3]).map(|r| (r.total, r.positive)),
            Some((10, false))
        );
        assert_eq!(
            score_hits([2, 3, 3, 3]).map(|r| (r.total, r.positive)),
            Some((11, true))
        );
        assert_eq!(score_hits([5, 5, 5, 5]).map(|r| r.total), Some(20));
    }

    #[test]
    fn any_frequently_is_positive_even_below_the_cutoff() {
        let r = score_hits([1, 1, 5, 1]).unwrap();
        assert_eq!(r.total, 8);
        assert!(r.positive);
    }

    #[test]
    fn answers_outside_the_scale_are_refused() {
        assert!(score_hits([0, 1, 1, 1]).is_none());
        assert!(score_hits([1, 1, 1, 6]).is_none());
    }

    #[test]
    fn the_offer_returns_after_a_postponement() {
        assert!(offer_check(false, None, 0));
        assert!(!offer_check(false, Some(100), 50));
        assert!(offer_check(false, Some(100), 100));
        assert!(!offer_check(true, None, 0));
    }
}
