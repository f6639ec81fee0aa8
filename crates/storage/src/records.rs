//! Rows as the rest of the application sees them.

use rekindle_domain::Visibility;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct User {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub time_zone: String,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: String,
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub time_zone: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    pub id: String,
    pub password_hash: String,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub id_hash: String,
    pub user_id: String,
    pub csrf_token: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// A live session with the person it belongs to.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub csrf_token: String,
    pub expires_at: i64,
    pub user: User,
}

#[derive(Debug, Clone)]
pub struct NewToken {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub token_hash: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// The space a person belongs to, seen from that person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Space {
    pub couple_id: String,
    pub joined_at: i64,
    pub partner: Option<User>,
    /// Paused for safety. Both partners see only this flag…
    pub paused: bool,
    /// …and only the person who paused learns it was them (so they can resume).
    pub paused_by_me: bool,
}

#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub id: String,
    pub couple_id: String,
    pub code_hash: String,
    pub created_by: String,
    pub created_at: i64,
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Invitation {
    pub id: String,
    pub created_by: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// What the join page may show before someone accepts: only who invited them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationPreview {
    pub inviter_name: String,
    pub valid: bool,
}

/// Who is asking for content. Built from the session, never from request input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: String,
    pub couple_id: Option<String>,
    pub partner_id: Option<String>,
}

impl Viewer {
    pub fn new(user_id: &str, space: Option<&Space>) -> Self {
        Viewer {
            user_id: user_id.to_owned(),
            couple_id: space.map(|s| s.couple_id.clone()),
            partner_id: space.and_then(|s| s.partner.as_ref().map(|p| p.id.clone())),
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewEntry {
    pub id: String,
    pub owner_id: String,
    pub title: String,
    pub body: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub owner_id: String,
    pub visibility: Visibility,
    pub title: String,
    pub body: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(sqlx::FromRow)]
pub(crate) struct EntryRow {
    pub id: String,
    pub owner_id: String,
    pub visibility: String,
    pub title: String,
    pub body: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<EntryRow> for Entry {
    fn from(r: EntryRow) -> Self {
        Entry {
            id: r.id,
            owner_id: r.owner_id,
            // The column has a CHECK constraint; anything unexpected stays private.
            visibility: Visibility::parse(&r.visibility).unwrap_or(Visibility::Private),
            title: r.title,
            body: r.body,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A question asked of a couple.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AskedQuestion {
    pub id: String,
    pub question_id: String,
    pub released_at: i64,
}

/// An answer the viewer may see: their own, or their partner's once the viewer
/// has answered (a passed answer carries no text).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct VisibleAnswer {
    pub id: String,
    pub couple_question_id: String,
    pub user_id: String,
    pub body: String,
    pub skipped: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Reaction {
    pub answer_id: String,
    pub user_id: String,
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Reply {
    pub id: String,
    pub couple_question_id: String,
    pub user_id: String,
    pub body: String,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewAnswer {
    pub id: String,
    pub couple_question_id: String,
    /// Empty when skipped.
    pub body: String,
    pub skipped: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewScreen {
    pub id: String,
    pub user_id: String,
    pub answers: [i64; 4],
    pub total: i64,
    pub positive: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Screen {
    pub id: String,
    pub hurt: i64,
    pub insult: i64,
    pub threaten: i64,
    pub scream: i64,
    pub total: i64,
    pub positive: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Notice {
    pub id: String,
    pub kind: String,
    pub created_at: i64,
}

/// What the home page shows about one person, read at once.
#[derive(Debug, Clone)]
pub struct HomeSummary {
    pub space: Option<Space>,
    pub facts: rekindle_domain::journey::Facts,
    pub safety_check_taken: bool,
    pub safety_offer_postponed_until: Option<i64>,
    pub partner_left: bool,
}
