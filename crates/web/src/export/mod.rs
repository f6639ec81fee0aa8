//! "Export everything I own or authored, and the shared content I can see", as
//! one zip archive: `rekindle.json` for machines and CSV files for tables.
//! Entries are stored uncompressed: archives are small and stay greppable.

use rekindle_storage::UserId;
use std::io::Write;

use serde::Serialize;
use zip::write::SimpleFileOptions;

use crate::http::error::AppError;
use crate::state::AppState;
use crate::view::format::iso;

#[derive(Serialize)]
struct Archive {
    exported_at: String,
    profile: Profile,
    space: Option<SpaceInfo>,
    journal: Vec<JournalRow>,
    appreciations: Vec<AppreciationRow>,
    questions: Vec<QuestionRow>,
    /// The person's own choice for each question deck (the default where they made none).
    question_decks: Vec<DeckChoiceRow>,
    api_tokens: Vec<TokenRow>,
    safety_checks: Vec<SafetyRow>,
    board: Vec<crate::board::archive::ExportProblem>,
    plan: ExportPlan,
    notifications: ExportNotifications,
}

/// Notification choices and the devices that notify (never their keys: only the
/// push service's host, the name and when it was added).
#[derive(Serialize)]
struct ExportNotifications {
    kinds: Vec<&'static str>,
    detail: bool,
    quiet_hours: Option<(String, String)>,
    digest: &'static str,
    devices: Vec<ExportDevice>,
}

#[derive(Serialize)]
struct ExportDevice {
    name: String,
    service: String,
    created_at: String,
    last_used_at: Option<String>,
}

/// The plan: actions with their history, the reminder choices and whether a
/// calendar feed link is active.
#[derive(Serialize)]
struct ExportPlan {
    actions: Vec<crate::plan::ExportAction>,
    reminder_kinds: Vec<&'static str>,
    reminder_time: String,
    calendar_feed_active: bool,
}

#[derive(Serialize)]
struct DeckChoiceRow {
    deck: String,
    on: bool,
}

#[derive(Serialize)]
struct Profile {
    email: String,
    display_name: String,
    time_zone: String,
    created_at: String,
}

#[derive(Serialize)]
struct SpaceInfo {
    joined_at: String,
    partner_name: Option<String>,
}

#[derive(Serialize)]
struct JournalRow {
    id: String,
    author: &'static str,
    visibility: &'static str,
    title: String,
    body: String,
    created_at: String,
    updated_at: String,
}

/// Appreciations: the person's own (drafts and sent) and the ones their current
/// partner sent them; `kept` only ever on the partner's.
#[derive(Serialize)]
struct AppreciationRow {
    id: String,
    author: &'static str,
    status: &'static str,
    body: String,
    kept: bool,
    created_at: String,
    sent_at: Option<String>,
}

#[derive(Serialize)]
struct QuestionRow {
    id: String,
    question: String,
    deck: String,
    depth: u8,
    asked_at: String,
    state: &'static str,
    my_answer: Option<String>,
    partner_answer: Option<String>,
    replies: Vec<ReplyRow>,
}

#[derive(Serialize)]
struct ReplyRow {
    author: &'static str,
    body: String,
    created_at: String,
}

#[derive(Serialize)]
struct TokenRow {
    name: String,
    created_at: String,
    last_used_at: Option<String>,
}

#[derive(Serialize)]
struct SafetyRow {
    taken_at: String,
    answers: [i64; 4],
    total: i64,
    positive: bool,
}

async fn gather(state: &AppState, user_id: &UserId) -> Result<Archive, AppError> {
    let user = state
        .repo
        .user_by_id(user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (viewer, space) = crate::space::viewer(state, user_id).await?;
    let journal = state
        .repo
        .entries_for(&viewer)
        .await?
        .into_iter()
        .map(|e| JournalRow {
            author: if &e.owner_id == user_id {
                "me"
            } else {
                "partner"
            },
            visibility: e.visibility.as_str(),
            id: e.id.into(),
            title: e.title,
            body: e.body,
            created_at: iso(e.created_at),
            updated_at: iso(e.updated_at),
        })
        .collect();
    let appreciations = state
        .repo
        .appreciations_for(&viewer)
        .await?
        .into_iter()
        .map(|a| AppreciationRow {
            author: if &a.author_id == user_id {
                "me"
            } else {
                "partner"
            },
            status: a.status.as_str(),
            kept: a.kept,
            id: a.id.into(),
            body: a.body,
            created_at: iso(a.created_at),
            sent_at: a.sent_at.map(iso),
        })
        .collect();
    let mut questions = Vec::new();
    for asked in state.repo.questions_for(&viewer).await? {
        let v = crate::questions::view(state, &viewer, &asked.id).await?;
        questions.push(QuestionRow {
            id: v.asked.id.clone().into(),
            question: v.question.text.clone(),
            deck: v.question.deck.clone(),
            depth: v.question.depth,
            asked_at: iso(v.asked.released_at),
            state: v.view.as_str(),
            my_answer: v
                .mine
                .as_ref()
                .filter(|m| !m.skipped)
                .map(|m| m.body.clone()),
            partner_answer: v.partner.as_ref().map(|p| p.body.clone()),
            replies: v
                .replies
                .into_iter()
                .map(|r| ReplyRow {
                    author: if &r.user_id == user_id {
                        "me"
                    } else {
                        "partner"
                    },
                    body: r.body,
                    created_at: iso(r.created_at),
                })
                .collect(),
        });
    }
    let mine = state.repo.deck_choices(&viewer.user_id).await?;
    let question_decks = rekindle_domain::questions::decks()
        .iter()
        .map(|d| DeckChoiceRow {
            deck: d.slug.clone(),
            on: rekindle_domain::questions::on_for_person(d, &mine),
        })
        .collect();
    let board = crate::board::archive::export(state, &viewer).await?;
    let choices = crate::reminders::choices(state, &viewer.user_id).await?;
    let plan = ExportPlan {
        actions: crate::plan::export(state, &viewer).await?,
        reminder_kinds: choices.kinds.iter().map(|k| k.as_str()).collect(),
        reminder_time: crate::reminders::time_text(choices.minute_of_day),
        calendar_feed_active: state.repo.calendar_feed(&viewer.user_id).await?.is_some(),
    };
    let notify = crate::notify::choices(state, user_id).await?;
    let notifications = ExportNotifications {
        kinds: notify.kinds.iter().map(|k| k.as_str()).collect(),
        detail: notify.detail,
        quiet_hours: notify
            .quiet
            .map(|q| (crate::notify::hhmm(q.0), crate::notify::hhmm(q.1))),
        digest: notify.digest.as_str(),
        devices: state
            .repo
            .push_subscriptions_of(user_id)
            .await?
            .into_iter()
            .map(|s| ExportDevice {
                service: crate::notify::endpoint_host(&s.endpoint),
                name: s.name,
                created_at: iso(s.created_at),
                last_used_at: s.last_used_at.map(iso),
            })
            .collect(),
    };
    Ok(Archive {
        board,
        plan,
        notifications,
        exported_at: iso(state.clock().now_ms()),
        profile: Profile {
            email: user.email,
            display_name: user.display_name,
            time_zone: user.time_zone,
            created_at: iso(user.created_at),
        },
        space: space.map(|s| SpaceInfo {
            joined_at: iso(s.joined_at),
            partner_name: s.partner.map(|p| p.display_name),
        }),
        journal,
        appreciations,
        questions,
        question_decks,
        api_tokens: state
            .repo
            .tokens(user_id)
            .await?
            .into_iter()
            .map(|t| TokenRow {
                name: t.name,
                created_at: iso(t.created_at),
                last_used_at: t.last_used_at.map(iso),
            })
            .collect(),
        safety_checks: state
            .repo
            .screens_of(user_id)
            .await?
            .into_iter()
            .map(|s| SafetyRow {
                taken_at: iso(s.created_at),
                answers: [s.hurt, s.insult, s.threaten, s.scream],
                total: s.total,
                positive: s.positive,
            })
            .collect(),
    })
}

use crate::view::csv::field as csv_field;

fn csv(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut out = header.join(",");
    out.push_str("\r\n");
    for row in rows {
        out.push_str(
            &row.iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    out
}

/// Builds the archive for one person.
pub async fn archive(state: &AppState, user_id: &UserId) -> Result<Vec<u8>, AppError> {
    let a = gather(state, user_id).await?;
    let json = serde_json::to_vec_pretty(&a).map_err(|e| AppError::Internal(e.to_string()))?;
    let journal = csv(
        &[
            "id",
            "author",
            "visibility",
            "title",
            "body",
            "created_at",
            "updated_at",
        ],
        a.journal.iter().map(|j| {
            vec![
                j.id.clone(),
                j.author.into(),
                j.visibility.into(),
                j.title.clone(),
                j.body.clone(),
                j.created_at.clone(),
                j.updated_at.clone(),
            ]
        }),
    );
    let questions = csv(
        &[
            "id",
            "question",
            "deck",
            "depth",
            "asked_at",
            "state",
            "my_answer",
            "partner_answer",
        ],
        a.questions.iter().map(|q| {
            vec![
                q.id.clone(),
                q.question.clone(),
                q.deck.clone(),
                q.depth.to_string(),
                q.asked_at.clone(),
                q.state.into(),
                q.my_answer.clone().unwrap_or_default(),
                q.partner_answer.clone().unwrap_or_default(),
            ]
        }),
    );
    let appreciations = csv(
        &[
            "id",
            "author",
            "status",
            "body",
            "kept",
            "created_at",
            "sent_at",
        ],
        a.appreciations.iter().map(|x| {
            vec![
                x.id.clone(),
                x.author.into(),
                x.status.into(),
                x.body.clone(),
                x.kept.to_string(),
                x.created_at.clone(),
                x.sent_at.clone().unwrap_or_default(),
            ]
        }),
    );
    // The person's own check-in submissions, as on the check-ins page.
    let checkins = crate::checkins::export_csv(state, user_id).await?;
    // Talk room
    let talks = crate::talk::export_json(state, user_id).await?;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buf);
        let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        for (name, bytes) in [
            ("rekindle.json", json.as_slice()),
            ("journal.csv", journal.as_bytes()),
            ("questions.csv", questions.as_bytes()),
            ("appreciations.csv", appreciations.as_bytes()),
            ("checkins.csv", checkins.as_bytes()),
            ("talks.json", talks.as_slice()),
        ] {
            zip.start_file(name, opts)
                .map_err(|e| AppError::Internal(e.to_string()))?;
            zip.write_all(bytes)
                .map_err(|e| AppError::Internal(e.to_string()))?;
        }
        zip.finish()
            .map_err(|e| AppError::Internal(e.to_string()))?;
    }
    Ok(buf.into_inner())
}

pub fn download(bytes: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, "application/zip"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"rekindle-export.zip\"",
            ),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::csv;

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let out = csv(
            &["a", "b"],
            [vec![
                "plain".into(),
                "with, comma \"and\" quote\nline".into(),
            ]]
            .into_iter(),
        );
        assert_eq!(
            out,
            "a,b\r\nplain,\"with, comma \"\"and\"\" quote\nline\"\r\n"
        );
    }
}
