//! The counselor hand-off: a summary the two prepare together for a counselor.
//!
//! Each partner chooses items from what both can already see (the check-in
//! trend chart of shared numbers, agreements and how they went, topics on the
//! board, shared talk reflections); the summary holds every chosen item. Every
//! change by either bumps the version and clears both approvals. It becomes
//! final only when both approved the same version *and* the same content (its
//! digest): approving a version that is no longer current is refused. Only a
//! final summary prints or gets a link; a link carries a random token (only its
//! digest is kept), expires (14 days by default, never later) and either
//! partner can revoke it.

use serde::Serialize;

pub const DAY_MS: i64 = 24 * 60 * 60 * 1000;
/// How long a link works unless the couple picks a shorter time.
pub const LINK_DEFAULT_DAYS: i64 = 14;
/// The longest a link may work.
pub const LINK_MAX_DAYS: i64 = 14;
/// Random bytes in a link token (192 bits, well above the 128 asked for).
pub const TOKEN_BYTES: usize = 24;
const _: () = assert!(
    TOKEN_BYTES * 8 >= 128,
    "a link token carries at least 128 bits"
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// The check-in trend chart (only numbers their authors shared), with a plain explanation.
    Trends,
    /// An agreement from the board and how it went.
    Agreement,
    /// A topic (problem) on the board.
    Topic,
    /// A talk reflection its author shared.
    Reflection,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Trends => "trends",
            ItemKind::Agreement => "agreement",
            ItemKind::Topic => "topic",
            ItemKind::Reflection => "reflection",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            ItemKind::Trends,
            ItemKind::Agreement,
            ItemKind::Topic,
            ItemKind::Reflection,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// One choosable item: its kind and the record it points at ("" for the
/// trend chart). Written as `kind` or `kind:record`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ItemKey {
    pub kind: ItemKind,
    pub record: String,
}

impl ItemKey {
    pub fn new(kind: ItemKind, record: impl Into<String>) -> Self {
        ItemKey {
            kind,
            record: record.into(),
        }
    }

    pub fn trends() -> Self {
        ItemKey::new(ItemKind::Trends, "")
    }

    pub fn parse(s: &str) -> Option<Self> {
        let (kind, record) = match s.split_once(':') {
            Some((k, r)) => (ItemKind::parse(k)?, r),
            None => (ItemKind::parse(s)?, ""),
        };
        let ok_record = record.len() <= 200
            && record
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == ':');
        if !ok_record || (kind == ItemKind::Trends) != record.is_empty() {
            return None;
        }
        Some(ItemKey::new(kind, record))
    }
}

impl std::fmt::Display for ItemKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.record.is_empty() {
            f.write_str(self.kind.as_str())
        } else {
            write!(f, "{}:{}", self.kind.as_str(), self.record)
        }
    }
}

/// One partner's approval: the version and the content digest they saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub user_id: String,
    pub version: i64,
    pub digest: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApproveRefusal {
    /// The version approved is not the current one: someone changed the summary.
    Stale { current: i64 },
    /// There is nothing to approve yet.
    Empty,
}

/// Whether a person may approve `given` when the summary is at `current` with
/// `items` chosen.
pub fn may_approve(current: i64, given: i64, items: usize) -> Result<(), ApproveRefusal> {
    if given != current {
        return Err(ApproveRefusal::Stale { current });
    }
    if items == 0 {
        return Err(ApproveRefusal::Empty);
    }
    Ok(())
}

/// Final when both partners approved the current version with the same content.
pub fn is_final(current: i64, approvals: &[Approval], partners: [&str; 2]) -> bool {
    let of = |who: &str| {
        approvals
            .iter()
            .find(|a| a.user_id == who && a.version == current)
    };
    match (of(partners[0]), of(partners[1])) {
        (Some(a), Some(b)) => a.digest == b.digest,
        _ => false,
    }
}

/// Whether an approval on record still stands for the content as it is now:
/// the same version, the same digest.
pub fn still_stands(a: &Approval, current: i64, digest: &str) -> bool {
    a.version == current && a.digest == digest
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    Active,
    Expired,
    Revoked,
}

pub fn link_state(expires_at: i64, revoked_at: Option<i64>, now: i64) -> LinkState {
    if revoked_at.is_some() {
        LinkState::Revoked
    } else if now >= expires_at {
        LinkState::Expired
    } else {
        LinkState::Active
    }
}

/// When a new link stops working: `days` (default 14), at most 14, at least 1.
pub fn link_expiry(now: i64, days: Option<i64>) -> Result<i64, &'static str> {
    let days = days.unwrap_or(LINK_DEFAULT_DAYS);
    if !(1..=LINK_MAX_DAYS).contains(&days) {
        return Err("A link works for 1 to 14 days.");
    }
    Ok(now + days * DAY_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ap(who: &str, version: i64, digest: &str) -> Approval {
        Approval {
            user_id: who.into(),
            version,
            digest: digest.into(),
        }
    }

    #[test]
    fn item_keys_read_back_and_refuse_nonsense() {
        for k in [
            ItemKey::trends(),
            ItemKey::new(ItemKind::Agreement, "ag-1"),
            ItemKey::new(ItemKind::Reflection, "t1:u2"),
        ] {
            assert_eq!(ItemKey::parse(&k.to_string()), Some(k));
        }
        for bad in [
            "",
            "journal:1",
            "trends:x",
            "topic",
            "topic:<script>",
            "agreement:a b",
        ] {
            assert_eq!(ItemKey::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_stale_version_cannot_be_approved() {
        assert_eq!(may_approve(3, 3, 2), Ok(()));
        assert_eq!(
            may_approve(4, 3, 2),
            Err(ApproveRefusal::Stale { current: 4 })
        );
        assert_eq!(may_approve(1, 1, 0), Err(ApproveRefusal::Empty));
    }

    #[test]
    fn final_needs_both_on_the_current_version_and_the_same_content() {
        let p = ["a", "b"];
        assert!(!is_final(2, &[ap("a", 2, "d")], p));
        assert!(is_final(2, &[ap("a", 2, "d"), ap("b", 2, "d")], p));
        // One approved an older version: a change reset it.
        assert!(!is_final(3, &[ap("a", 2, "d"), ap("b", 3, "d")], p));
        // Same version, but what was underneath changed between the two approvals.
        assert!(!is_final(2, &[ap("a", 2, "d1"), ap("b", 2, "d2")], p));
        // A stranger's approval does not count.
        assert!(!is_final(2, &[ap("a", 2, "d"), ap("x", 2, "d")], p));
        assert!(still_stands(&ap("a", 2, "d"), 2, "d"));
        assert!(!still_stands(&ap("a", 2, "d"), 2, "e"));
    }

    #[test]
    fn links_expire_in_at_most_fourteen_days_and_revocation_wins() {
        assert_eq!(link_expiry(0, None), Ok(14 * DAY_MS));
        assert_eq!(link_expiry(0, Some(3)), Ok(3 * DAY_MS));
        assert!(link_expiry(0, Some(15)).is_err());
        assert!(link_expiry(0, Some(0)).is_err());
        assert_eq!(link_state(10, None, 9), LinkState::Active);
        assert_eq!(link_state(10, None, 10), LinkState::Expired);
        assert_eq!(link_state(10, Some(5), 1), LinkState::Revoked);
    }
}
