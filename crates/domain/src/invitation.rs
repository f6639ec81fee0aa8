//! Rules for the single-use link that brings the second partner into a space.

/// Invitations expire a week after they were made.
pub const INVITATION_TTL_SECS: i64 = 7 * 24 * 60 * 60;
/// A space holds exactly two partners.
pub const SPACE_CAPACITY: usize = 2;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationState {
    pub expires_at: i64,
    pub used: bool,
    pub revoked: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinRefusal {
    /// The link was used, revoked or has expired; we do not say which, so a
    /// leaked link teaches nothing about the space.
    LinkNotValid,
    /// The person opening the link already belongs to a space.
    AlreadyInASpace,
    /// The person opening the link made it.
    OwnInvitation,
    /// The space already has two partners.
    SpaceFull,
}

impl JoinRefusal {
    pub fn message(self) -> &'static str {
        match self {
            JoinRefusal::LinkNotValid => {
                "This invitation link is no longer valid. Ask your partner for a new one."
            }
            JoinRefusal::AlreadyInASpace => {
                "You already share a space. Leave it in Settings before joining another."
            }
            JoinRefusal::OwnInvitation => {
                "This is your own invitation. Send the link to your partner so they can join."
            }
            JoinRefusal::SpaceFull => "This space already has two partners.",
        }
    }
}

pub struct JoinAttempt<'a> {
    pub invitation: &'a InvitationState,
    pub now: i64,
    pub joiner_in_a_space: bool,
    pub joiner_is_inviter: bool,
    pub members_in_space: usize,
}

/// Decides whether someone may join a space through an invitation.
pub fn check_join(a: &JoinAttempt<'_>) -> Result<(), JoinRefusal> {
    let inv = a.invitation;
    if inv.used || inv.revoked || a.now >= inv.expires_at {
        return Err(JoinRefusal::LinkNotValid);
    }
    if a.joiner_is_inviter {
        return Err(JoinRefusal::OwnInvitation);
    }
    if a.joiner_in_a_space {
        return Err(JoinRefusal::AlreadyInASpace);
    }
    if a.members_in_space >= SPACE_CAPACITY {
        return Err(JoinRefusal::SpaceFull);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(inv: &InvitationState, now: i64) -> JoinAttempt<'_> {
        JoinAttempt {
            invitation: inv,
            now,
            joiner_in_a_space: false,
            joiner_is_inviter: false,
            members_in_space: 1,
        }
    }

    fn fresh() -> InvitationState {
        InvitationState {
            expires_at: 1_000,
            used: false,
            revoked: false,
        }
    }

    #[test]
    fn a_fresh_invitation_lets_a_newcomer_join() {
        assert_eq!(check_join(&attempt(&fresh(), 999)), Ok(()));
    }

    #[test]
    fn expired_used_or_revoked_links_are_refused_alike() {
        let inv = fresh();
        assert_eq!(
            check_join(&attempt(&inv, 1_000)),
            Err(JoinRefusal::LinkNotValid)
        );
        let used = InvitationState {
            used: true,
            ..fresh()
        };
        assert_eq!(
            check_join(&attempt(&used, 0)),
            Err(JoinRefusal::LinkNotValid)
        );
        let revoked = InvitationState {
            revoked: true,
            ..fresh()
        };
        assert_eq!(
            check_join(&attempt(&revoked, 0)),
            Err(JoinRefusal::LinkNotValid)
        );
    }

    #[test]
    fn one_space_per_person_two_people_per_space() {
        let inv = fresh();
        let mut a = attempt(&inv, 0);
        a.joiner_in_a_space = true;
        assert_eq!(check_join(&a), Err(JoinRefusal::AlreadyInASpace));
        let mut a = attempt(&inv, 0);
        a.members_in_space = 2;
        assert_eq!(check_join(&a), Err(JoinRefusal::SpaceFull));
        let mut a = attempt(&inv, 0);
        a.joiner_is_inviter = true;
        assert_eq!(check_join(&a), Err(JoinRefusal::OwnInvitation));
    }
}
