//! One repository API over SQLite and PostgreSQL.
//!
//! Both backends run the same SQL text (`$n` placeholders work on both), kept once in
//! `backend/store/` (one file per aggregate), which is compiled twice: once with
//! `DB = Sqlite`, once with `DB = Postgres`. Use cases that must be atomic are single methods that open a
//! transaction, so callers never hold one across an await in a handler.

mod backend;
mod records;

pub use records::*;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use rekindle_domain::invitation::JoinRefusal;
use rekindle_domain::journey::Facts;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("a record with that key already exists")]
    Conflict,
    #[error("joining refused: {0:?}")]
    Join(JoinRefusal),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type StoreResult<T> = Result<T, StoreError>;

pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn map_unique(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict,
        _ => StoreError::Db(e),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
enum Inner {
    Sqlite(backend::sqlite::Store),
    Postgres(backend::postgres::Store),
}

/// The repository. Cheap to clone; every clone shares the pools.
#[derive(Clone)]
pub struct Repo(Inner);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    pub size: u32,
    pub idle: u32,
    pub max: u32,
}

impl Repo {
    /// Opens (creating if needed) `rekindle.db` in `data_dir` and runs migrations.
    pub async fn open_sqlite(data_dir: &Path) -> StoreResult<Self> {
        use sqlx::sqlite::{
            SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
        };
        let opts = SqliteConnectOptions::new()
            .filename(data_dir.join("rekindle.db"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // Deleted content is overwritten on disk, so erasure leaves no trace.
            .pragma("secure_delete", "ON")
            .busy_timeout(Duration::from_secs(5));
        // One writer connection: SQLite allows one writer at a time and a single
        // connection turns contention into an in-process queue instead of
        // "database is locked" errors.
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&write).await?;
        let readers = std::thread::available_parallelism()
            .map_or(4, |n| n.get() as u32 * 2)
            .max(4);
        let read = SqlitePoolOptions::new()
            .max_connections(readers)
            .connect_with(opts.read_only(true))
            .await?;
        Ok(Repo(Inner::Sqlite(backend::sqlite::Store::new(
            read, write,
        ))))
    }

    pub async fn open_postgres(url: &str, max_connections: u32) -> StoreResult<Self> {
        use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
        let opts = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Repo(Inner::Postgres(backend::postgres::Store::new(
            pool.clone(),
            pool,
        ))))
    }

    pub fn backend(&self) -> Backend {
        match &self.0 {
            Inner::Sqlite(_) => Backend::Sqlite,
            Inner::Postgres(_) => Backend::Postgres,
        }
    }

    pub fn pool_stats(&self) -> PoolStats {
        match &self.0 {
            Inner::Sqlite(s) => s.pool_stats(),
            Inner::Postgres(s) => s.pool_stats(),
        }
    }

    pub async fn close(&self) {
        match &self.0 {
            Inner::Sqlite(s) => s.close().await,
            Inner::Postgres(s) => s.close().await,
        }
    }
}

// Talk room
/// The PostgreSQL channel on which servers announce "talk X changed".
pub const TALK_CHANNEL: &str = "rekindle_talk";

/// Notifications of changed talks from other servers (PostgreSQL only).
pub struct TalkListener(sqlx::postgres::PgListener);

impl TalkListener {
    /// The next notice (what the sender passed to `notify_talk`); `None` when the connection was lost (it
    /// reconnects on the next call): notifications may have been missed, so
    /// every talk should resync.
    pub async fn recv(&mut self) -> StoreResult<Option<String>> {
        Ok(self.0.try_recv().await?.map(|n| n.payload().to_owned()))
    }
}

impl Repo {
    pub async fn notify_talk(&self, payload: &str) -> StoreResult<()> {
        match &self.0 {
            Inner::Sqlite(_) => Ok(()),
            Inner::Postgres(s) => s.notify_talk(payload).await,
        }
    }

    /// One LISTEN connection for this server, or `None` on SQLite (one server).
    pub async fn listen_talks(&self) -> StoreResult<Option<TalkListener>> {
        match &self.0 {
            Inner::Sqlite(_) => Ok(None),
            Inner::Postgres(s) => {
                let mut l = sqlx::postgres::PgListener::connect_with(s.listen_pool()).await?;
                l.listen(TALK_CHANNEL).await?;
                Ok(Some(TalkListener(l)))
            }
        }
    }
}

/// Writes each repository method once as a forwarder to the backend in use.
macro_rules! delegate {
    ($( fn $name:ident(&self $(, $arg:ident : $ty:ty)* ) -> $ret:ty; )*) => {
        impl Repo {
            $(
                pub async fn $name(&self $(, $arg: $ty)*) -> StoreResult<$ret> {
                    match &self.0 {
                        Inner::Sqlite(s) => s.$name($($arg),*).await,
                        Inner::Postgres(s) => s.$name($($arg),*).await,
                    }
                }
            )*
        }
    };
}

delegate! {
    fn ping(&self) -> ();
    fn debug_dump_table(&self, table: &str) -> String;
    fn create_user(&self, new: &NewUser) -> User;
    fn user_by_id(&self, id: &str) -> Option<User>;
    fn credentials_by_email(&self, email: &str) -> Option<Credentials>;
    fn password_hash(&self, user_id: &str) -> Option<String>;
    fn update_profile(&self, user_id: &str, display_name: &str, time_zone: &str) -> ();
    fn set_password(&self, user_id: &str, hash: &str, keep_session: Option<&str>) -> ();
    fn create_session(&self, s: &NewSession) -> ();
    fn session(&self, id_hash: &str, now: i64) -> Option<SessionUser>;
    fn delete_session(&self, id_hash: &str) -> ();
    fn delete_expired_sessions(&self, now: i64) -> u64;
    fn create_token(&self, t: &NewToken) -> ApiToken;
    fn tokens(&self, user_id: &str) -> Vec<ApiToken>;
    fn revoke_token(&self, user_id: &str, token_id: &str) -> bool;
    fn token_user(&self, token_hash: &str, now: i64) -> Option<User>;
    fn space_of(&self, user_id: &str) -> Option<Space>;
    fn home_summary(&self, user_id: &str) -> HomeSummary;
    fn create_space(&self, couple_id: &str, user_id: &str, now: i64) -> Space;
    fn leave_space(&self, user_id: &str) -> bool;
    fn erase_user(&self, user_id: &str) -> bool;
    fn pause_space(&self, user_id: &str) -> bool;
    fn resume_space(&self, user_id: &str) -> bool;
    fn save_screen(&self, s: &NewScreen) -> ();
    fn screens_of(&self, user_id: &str) -> Vec<Screen>;
    fn postpone_offer(&self, user_id: &str, until: i64) -> ();
    fn offer_postponed_until(&self, user_id: &str) -> Option<i64>;
    fn notices_for(&self, user_id: &str) -> Vec<Notice>;
    fn dismiss_notices(&self, user_id: &str) -> ();
    fn create_invitation(&self, inv: &NewInvitation) -> Invitation;
    fn open_invitations(&self, couple_id: &str, now: i64) -> Vec<Invitation>;
    fn revoke_invitation(&self, couple_id: &str, invitation_id: &str, now: i64) -> bool;
    fn invitation_by_code(&self, code_hash: &str) -> Option<InvitationPreview>;
    fn accept_invitation(&self, code_hash: &str, user_id: &str, now: i64) -> Space;
    fn journey_facts(&self, couple_id: &str) -> Facts;
    fn question_hour(&self, couple_id: &str) -> Option<i64>;
    fn set_question_hour(&self, couple_id: &str, hour: i64) -> ();
    fn asked_questions(&self, couple_id: &str) -> Vec<(String, bool)>;
    fn latest_release(&self, couple_id: &str) -> Option<i64>;
    fn release_question(&self, couple_id: &str, asked: &AskedQuestion, unless_since: i64) -> bool;
    fn questions_for(&self, viewer: &Viewer) -> Vec<AskedQuestion>;
    fn question_for(&self, viewer: &Viewer, id: &str) -> Option<AskedQuestion>;
    fn visible_answers(&self, viewer: &Viewer, only: Option<&str>) -> Vec<VisibleAnswer>;
    fn answer(&self, viewer: &Viewer, user_answer: &NewAnswer) -> bool;
    fn react(&self, viewer: &Viewer, answer_id: &str, kind: &str, now: i64) -> bool;
    fn reactions_for(&self, viewer: &Viewer, couple_question_id: &str) -> Vec<Reaction>;
    fn reply(&self, viewer: &Viewer, r: &Reply) -> bool;
    fn replies_for(&self, viewer: &Viewer, couple_question_id: &str) -> Vec<Reply>;
    fn create_entry(&self, e: &NewEntry) -> Entry;
    fn entries_for(&self, viewer: &Viewer) -> Vec<Entry>;
    fn entry_for(&self, viewer: &Viewer, id: &str) -> Option<Entry>;
    fn update_entry(&self, owner_id: &str, id: &str, title: &str, body: &str, now: i64) -> bool;
    fn set_entry_visibility(&self, viewer: &Viewer, id: &str, shared: bool, now: i64) -> bool;
    fn delete_entry(&self, owner_id: &str, id: &str) -> bool;
    fn checkin_schedule(&self, couple_id: &str) -> Option<CheckinSchedule>;
    fn set_checkin_schedule(&self, couple_id: &str, schedule: &CheckinSchedule) -> ();
    fn open_checkin(&self, couple_id: &str, new: &NewCheckin, unless_since: i64) -> bool;
    fn checkins_for(&self, viewer: &Viewer) -> Vec<Checkin>;
    fn checkin_for(&self, viewer: &Viewer, id: &str) -> Option<Checkin>;
    fn checkin_completions(&self, couple_id: &str) -> Vec<i64>;
    fn submit_checkin(&self, viewer: &Viewer, s: &NewSubmission) -> bool;
    fn visible_submissions(&self, viewer: &Viewer, only: Option<&str>) -> Vec<VisibleSubmission>;
    fn own_submissions(&self, user_id: &str) -> Vec<VisibleSubmission>;
    fn set_loved(&self, viewer: &Viewer, checkin_id: &str, body: &str, now: i64) -> bool;
    fn loved_for(&self, viewer: &Viewer, checkin_id: &str) -> Vec<LovedAnswer>;
    // Talk room
    fn ground_rules(&self, couple_id: &str) -> Option<GroundRules>;
    fn set_ground_rules(&self, couple_id: &str, user_id: &str, body: &str, min_time_out: i64, now: i64) -> i64;
    fn accept_ground_rules(&self, couple_id: &str, user_id: &str, version: i64, now: i64) -> bool;
    fn create_talk(&self, talk: &NewTalk, first: &NewTalkEvent) -> ();
    fn talk_for(&self, viewer: &Viewer, id: &str) -> Option<TalkRow>;
    fn talks_for(&self, viewer: &Viewer) -> Vec<TalkRow>;
    fn talk_events(&self, talk_id: &str, after: i64) -> Vec<TalkEventRow>;
    fn append_talk_events(&self, talk_id: &str, couple_id: &str, after_seq: i64, events: &[NewTalkEvent], summary: &TalkSummary) -> bool;
    fn delete_talk(&self, viewer: &Viewer, id: &str) -> bool;
    fn save_reflection(&self, viewer: &Viewer, r: &Reflection) -> bool;
    fn set_reflection_shared(&self, viewer: &Viewer, talk_id: &str, shared: bool, now: i64) -> bool;
    fn reflections_for(&self, viewer: &Viewer, talk_id: &str) -> Vec<Reflection>;
    fn talk_export(&self, user_id: &str) -> (Vec<TalkRow>, Vec<TalkEventRow>, Vec<Reflection>);
    // Problem board
    fn board_problems(&self, viewer: &Viewer, include_past: bool) -> Vec<BoardProblem>;
    fn board_problem(&self, viewer: &Viewer, id: &str) -> Option<BoardProblem>;
    fn board_propose(&self, viewer: &Viewer, new: &NewProblem) -> bool;
    fn board_move(&self, viewer: &Viewer, m: &BoardMove<'_>) -> bool;
    fn board_add_option(&self, viewer: &Viewer, new: &NewOption) -> bool;
    fn board_finish_brainstorm(&self, viewer: &Viewer, problem_id: &str, round: i64, now: i64) -> bool;
    fn board_options(&self, viewer: &Viewer, problem_id: &str) -> Vec<BoardOption>;
    fn board_done(&self, viewer: &Viewer, problem_id: &str, round: i64) -> BoardDone;
    fn board_rate(&self, viewer: &Viewer, problem_id: &str, round: i64, ratings: &[(String, i64)], now: i64) -> bool;
    fn board_ratings(&self, viewer: &Viewer, problem_id: &str, round: Option<i64>) -> Vec<BoardRating>;
    fn board_propose_agreement(&self, viewer: &Viewer, new: &NewAgreement) -> bool;
    fn board_confirm_agreement(&self, viewer: &Viewer, problem_id: &str, now: i64) -> bool;
    fn board_withdraw_agreement(&self, viewer: &Viewer, problem_id: &str) -> bool;
    fn board_agreements(&self, viewer: &Viewer, problem_id: &str) -> Vec<BoardAgreement>;
    fn board_answer_followup(&self, viewer: &Viewer, agreement_id: &str, worked: &str, note: &str, now: i64) -> bool;
    fn board_followups(&self, viewer: &Viewer, agreement_id: &str) -> Vec<BoardFollowUp>;
    fn board_decide(&self, viewer: &Viewer, d: &BoardDecision) -> bool;
    fn board_outcomes(&self, couple_id: &str) -> Vec<String>;
    fn board_agreement_in(&self, couple_id: &str, agreement_id: &str) -> bool;
    fn board_follow_up_times(&self, couple_id: &str) -> Vec<(String, i64)>;
    // Action plan
    fn create_action(&self, a: &PlanAction) -> ();
    fn actions_for(&self, viewer: &Viewer) -> Vec<PlanAction>;
    fn action_for(&self, viewer: &Viewer, id: &str) -> Option<PlanAction>;
    fn answer_action(&self, viewer: &Viewer, id: &str, accept: bool, now: i64) -> bool;
    fn record_done(&self, viewer: &Viewer, e: &PlanDoneEvent) -> bool;
    fn done_events(&self, viewer: &Viewer, action_id: Option<&str>) -> Vec<PlanDoneEvent>;
    fn own_actions(&self, user_id: &str) -> Vec<PlanAction>;
    fn own_done_events(&self, user_id: &str) -> Vec<PlanDoneEvent>;
    // Reminders
    fn reminder_prefs(&self, user_id: &str) -> Option<ReminderPrefsRow>;
    fn set_reminder_prefs(&self, p: &ReminderPrefsRow) -> ();
    fn reminder_subscribers(&self) -> Vec<ReminderSubscriber>;
    fn enqueue_reminder(&self, r: &NewReminder) -> bool;
    fn claim_reminders(&self, claimer: &str, now: i64, lease_ms: i64, limit: i64) -> Vec<ClaimedReminder>;
    fn reminder_sent(&self, id: &str, claimer: &str, now: i64) -> bool;
    fn reminder_failed(&self, id: &str, claimer: &str, error: &str, retry_at: Option<i64>, now: i64) -> bool;
    fn reminder_outbox(&self, user_id: Option<&str>) -> Vec<OutboxEntry>;
    fn calendar_feed(&self, user_id: &str) -> Option<CalendarFeed>;
    fn set_calendar_feed(&self, user_id: &str, token_hash: &str, detailed: bool, now: i64) -> ();
    fn set_calendar_detail(&self, user_id: &str, detailed: bool) -> bool;
    fn revoke_calendar_feed(&self, user_id: &str) -> bool;
    fn calendar_feed_user(&self, token_hash: &str) -> Option<(User, bool)>;
}
