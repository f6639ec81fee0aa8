//! When the shared space lets a partner act: the tools for two open once both
//! partners are in the space, and everything that reaches the partner rests
//! while the space is paused (the pause is the safety plan's neutral stop, so it
//! says only that it is paused, never why or by whom).

/// What the rules need to know about a person's space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpaceState {
    pub has_partner: bool,
    pub paused: bool,
}

/// Why something that involves the partner cannot happen now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// The space is paused.
    Paused,
    /// The person has no space yet.
    NoSpace,
    /// The space has one partner so far.
    NoPartner,
}

/// A tool for two (questions, talks, the board, check-ins) is open only in a
/// space with both partners that is not paused. Paused wins, so the pause is
/// what a person is told even before their partner joined.
pub fn for_two(space: Option<SpaceState>) -> Result<(), Closed> {
    not_paused(space)?;
    match space {
        Some(s) if s.has_partner => Ok(()),
        Some(_) => Err(Closed::NoPartner),
        None => Err(Closed::NoSpace),
    }
}

/// Anything that reaches the partner (sharing, proposing, asking) waits while
/// the space is paused; without a space there is no pause.
pub fn not_paused(space: Option<SpaceState>) -> Result<(), Closed> {
    match space {
        Some(s) if s.paused => Err(Closed::Paused),
        _ => Ok(()),
    }
}

/// Sharing one's own content (a journal entry, a reflection) needs a space to
/// share it in, and waits while that space is paused. Making it private again
/// is always allowed: taking back is never blocked.
pub fn may_share(space: Option<SpaceState>, share: bool) -> Result<(), Closed> {
    if !share {
        return Ok(());
    }
    not_paused(space)?;
    match space {
        Some(_) => Ok(()),
        None => Err(Closed::NoSpace),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALONE: SpaceState = SpaceState {
        has_partner: false,
        paused: false,
    };
    const PAIR: SpaceState = SpaceState {
        has_partner: true,
        paused: false,
    };
    const PAUSED_PAIR: SpaceState = SpaceState {
        has_partner: true,
        paused: true,
    };
    const PAUSED_ALONE: SpaceState = SpaceState {
        has_partner: false,
        paused: true,
    };

    #[test]
    fn tools_for_two_need_a_partner_and_no_pause() {
        assert_eq!(for_two(Some(PAIR)), Ok(()));
        assert_eq!(for_two(Some(ALONE)), Err(Closed::NoPartner));
        assert_eq!(for_two(None), Err(Closed::NoSpace));
        assert_eq!(for_two(Some(PAUSED_PAIR)), Err(Closed::Paused));
        assert_eq!(for_two(Some(PAUSED_ALONE)), Err(Closed::Paused));
    }

    #[test]
    fn sharing_needs_a_space_and_no_pause_but_taking_back_always_works() {
        assert_eq!(may_share(Some(ALONE), true), Ok(()));
        assert_eq!(may_share(Some(PAIR), true), Ok(()));
        assert_eq!(may_share(None, true), Err(Closed::NoSpace));
        assert_eq!(may_share(Some(PAUSED_PAIR), true), Err(Closed::Paused));
        assert_eq!(may_share(Some(PAUSED_PAIR), false), Ok(()));
        assert_eq!(may_share(None, false), Ok(()));
    }

    #[test]
    fn the_pause_only_matters_inside_a_space() {
        assert_eq!(not_paused(None), Ok(()));
        assert_eq!(not_paused(Some(PAIR)), Ok(()));
        assert_eq!(not_paused(Some(PAUSED_ALONE)), Err(Closed::Paused));
    }
}
