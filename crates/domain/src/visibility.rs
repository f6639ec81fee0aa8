//! The privacy model. Every stored piece of content has an owner and a visibility;
//! some content is additionally sealed until both partners have answered.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Only the owner ever sees it.
    Private,
    /// The owner's partner (in the space it was shared in) sees it too.
    Shared,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Private => "private",
            Visibility::Shared => "shared",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "private" => Some(Visibility::Private),
            "shared" => Some(Visibility::Shared),
            _ => None,
        }
    }
}

crate::stored::try_from_stored!(Visibility, "visibility");

/// Who is looking at a piece of content, relative to its owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    Owner,
    /// The viewer is the owner's partner in the space the content was shared in.
    Partner,
    /// Anyone else, including a former partner.
    Other,
}

/// The single rule every content query encodes: owners see everything they own,
/// partners see shared content, nobody else sees anything.
pub fn can_see(relation: Relation, visibility: Visibility) -> bool {
    match relation {
        Relation::Owner => true,
        Relation::Partner => visibility == Visibility::Shared,
        Relation::Other => false,
    }
}

/// State of a "sealed until both answered" item from one partner's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reveal {
    /// I have not answered yet. I must not learn anything about my partner's answer,
    /// not even whether one exists, so this says nothing about the partner.
    AwaitingMe,
    /// I answered, my partner has not: only my own answer is visible.
    AwaitingPartner,
    /// Both answered: both answers are visible to both.
    Open,
}

/// Decides what a viewer may see of a sealed pair. The partner's answer is
/// available only in [`Reveal::Open`].
pub fn reveal(mine_answered: bool, partner_answered: bool) -> Reveal {
    match (mine_answered, partner_answered) {
        (true, true) => Reveal::Open,
        (true, false) => Reveal::AwaitingPartner,
        (false, _) => Reveal::AwaitingMe,
    }
}

impl Reveal {
    pub fn partner_visible(self) -> bool {
        self == Reveal::Open
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_see_everything_partners_only_shared_others_nothing() {
        for v in [Visibility::Private, Visibility::Shared] {
            assert!(can_see(Relation::Owner, v));
            assert!(!can_see(Relation::Other, v));
        }
        assert!(can_see(Relation::Partner, Visibility::Shared));
        assert!(!can_see(Relation::Partner, Visibility::Private));
    }

    #[test]
    fn sealed_answers_open_only_when_both_answered() {
        assert_eq!(reveal(false, false), Reveal::AwaitingMe);
        // A partner who has not answered learns nothing about the other's answer.
        assert_eq!(reveal(false, true), Reveal::AwaitingMe);
        assert_eq!(reveal(true, false), Reveal::AwaitingPartner);
        assert_eq!(reveal(true, true), Reveal::Open);
        assert!(!reveal(true, false).partner_visible());
        assert!(!reveal(false, true).partner_visible());
        assert!(reveal(true, true).partner_visible());
    }

    #[test]
    fn visibility_round_trips_through_its_stored_form() {
        for v in [Visibility::Private, Visibility::Shared] {
            assert_eq!(Visibility::parse(v.as_str()), Some(v));
        }
        assert_eq!(Visibility::parse("public"), None);
    }
}
