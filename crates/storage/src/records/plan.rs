//! Rows of the action plan, reminders and the calendar feed (step 6).

use crate::direct::direct_row;
use crate::{ActionId, AgreementId, CoupleId, UserId};
use rekindle_domain::plan::Assignment;

/// An action as stored. `owner_id` is NULL when it belongs to both partners.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PlanAction {
    pub id: ActionId,
    pub couple_id: Option<CoupleId>,
    pub created_by: UserId,
    pub owner_id: Option<UserId>,
    pub agreement_id: Option<AgreementId>,
    pub title: String,
    pub notes: String,
    /// YYYY-MM-DD
    pub due_date: String,
    pub rrule: Option<String>,
    /// proposed | accepted | declined
    #[sqlx(try_from = "String")]
    pub assignment: Assignment,
    pub answered_at: Option<i64>,
    pub created_at: i64,
}

direct_row!(PlanAction {
    id, couple_id, created_by, owner_id, agreement_id, title, notes,
    due_date, rrule, assignment: via String, answered_at, created_at,
});

/// What a day's list needs of an action (see `Store::actions_undone_on`): the
/// rest of [`PlanAction`] is left unread, since the home page reads this on
/// every view.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DayAction {
    pub id: ActionId,
    pub title: String,
    /// YYYY-MM-DD
    pub due_date: String,
    pub rrule: Option<String>,
    /// Kept for the plan's order (date, then creation).
    pub created_at: i64,
}

direct_row!(DayAction {
    id,
    title,
    due_date,
    rrule,
    created_at
});

/// One done or undo of one occurrence (YYYY-MM-DD), by whom and when.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PlanDoneEvent {
    pub id: String,
    pub action_id: ActionId,
    pub occurrence: String,
    pub user_id: UserId,
    pub done: bool,
    pub at: i64,
}

direct_row!(PlanDoneEvent {
    id,
    action_id,
    occurrence,
    user_id,
    done,
    at
});

/// A person's reminder choices: kinds as a comma list, the local minute of the day.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReminderPrefsRow {
    pub user_id: UserId,
    pub kinds: String,
    pub minute_of_day: i64,
    pub updated_at: i64,
}

/// Someone who chose at least one reminder kind, with what the scheduler needs.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReminderSubscriber {
    pub user_id: UserId,
    pub time_zone: String,
    pub kinds: String,
    pub minute_of_day: i64,
    pub couple_id: Option<CoupleId>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CalendarFeed {
    pub user_id: UserId,
    pub detailed: bool,
    pub created_at: i64,
}

/// A reminder to put in the outbox; the key makes it unique.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReminder {
    pub id: String,
    pub key: String,
    pub user_id: UserId,
    pub kind: String,
    pub local_date: String,
    pub due_at: i64,
    pub created_at: i64,
}

/// A reminder this server claimed and now sends.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ClaimedReminder {
    pub id: String,
    pub user_id: UserId,
    pub email: String,
    pub kind: String,
    pub local_date: String,
    /// Including this one.
    pub attempts: i64,
}

/// An outbox row as the operator (and the tests) see it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxEntry {
    pub id: String,
    pub dedupe_key: String,
    pub user_id: UserId,
    pub kind: String,
    pub local_date: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub sent_at: Option<i64>,
    pub gave_up_at: Option<i64>,
    pub last_error: Option<String>,
}
