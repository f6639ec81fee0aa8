//! Gives an existing couple a year of content, for the server benchmark
//! (`scripts/bench-server`): see `tests/common/year.rs`.
//!
//! cargo run --release -p rekindle-storage --example seed_year -- DATABASE EMAIL [OTHERS]
//!   DATABASE: a data dir (SQLite) or a postgres:// URL; EMAIL: one partner's;
//!   OTHERS: how many other couples to add, each with a year of its own, so the
//!   pages are measured in an instance that hosts many couples (default 0).

use rekindle_storage::{NewInvitation, NewUser, Repo, UserId};

#[path = "../tests/common/year.rs"]
mod year;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (db, email, others) = match args.as_slice() {
        [db, email] => (db, email, 0),
        [db, email, others] => (db, email, others.parse::<usize>()?),
        _ => return Err("usage: seed_year DATABASE EMAIL [OTHERS]".into()),
    };
    let repo = if db.starts_with("postgres") {
        Repo::open_postgres(db, 4).await?
    } else {
        Repo::open_sqlite(std::path::Path::new(db)).await?
    };
    let me = repo
        .credentials_by_email(email)
        .await?
        .ok_or("no such person")?
        .id;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as i64;
    let questions = year::seed_year(&repo, &me, now).await?;
    println!(
        "seeded: {questions} answered questions, 50 repeating actions with about 4,000 done marks, 30 talks, 12 check-ins, 100 journal entries"
    );
    for n in 0..others {
        let first = other_couple(&repo, n).await?;
        year::seed_year_tagged(&repo, &first, now, &format!("o{n}-")).await?;
    }
    if others > 0 {
        println!("and {others} other couples with the same year each");
    }
    Ok(())
}

/// Two people who nobody signs in as, in a space of their own; returns the
/// first of them.
async fn other_couple(repo: &Repo, n: usize) -> Result<UserId, Box<dyn std::error::Error>> {
    let person = |who: &str| NewUser {
        id: format!("other-{n}-{who}").into(),
        email: format!("other-{n}-{who}@example.org"),
        password_hash: "$argon2id$not-a-hash".into(),
        display_name: format!("Other {n} {who}"),
        time_zone: "Europe/Berlin".into(),
        created_at: 0,
    };
    let (a, b) = (
        repo.create_user(&person("a")).await?,
        repo.create_user(&person("b")).await?,
    );
    let couple = format!("other-{n}");
    repo.create_space(&couple.clone().into(), &a.id, 0).await?;
    repo.create_invitation(&NewInvitation {
        id: format!("other-inv-{n}").into(),
        couple_id: couple.into(),
        code_hash: format!("other-code-{n}"),
        created_by: a.id.clone(),
        created_at: 0,
        expires_at: i64::MAX,
    })
    .await?;
    repo.accept_invitation(&format!("other-code-{n}"), &b.id, 0)
        .await?;
    Ok(a.id)
}
