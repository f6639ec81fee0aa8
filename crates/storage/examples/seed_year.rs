//! Gives an existing couple a year of content, for the server benchmark
//! (`scripts/bench-server`): see `tests/common/year.rs`.
//!
//! cargo run --release -p rekindle-storage --example seed_year -- DATABASE EMAIL [OTHERS]
//!   DATABASE: a data dir (SQLite) or a postgres:// URL; EMAIL: one partner's;
//!   OTHERS: how many other couples to add, each with a year of its own, so the
//!   pages are measured in an instance that hosts many couples (default 0).

use rekindle_storage::Repo;

#[path = "../tests/common/mod.rs"]
mod common;
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
    // Two people nobody signs in as, in a space of their own, each couple.
    for n in 0..others {
        let (a, b) = (format!("other-{n}-a"), format!("other-{n}-b"));
        common::person(&repo, &a).await;
        common::person(&repo, &b).await;
        common::join(
            &repo,
            &format!("other-{n}"),
            &a,
            &b,
            &format!("other-{n}"),
            i64::MAX,
        )
        .await;
        year::seed_year_tagged(&repo, &a.into(), now, &format!("o{n}-")).await?;
    }
    if others > 0 {
        println!("and {others} other couples with the same year each");
    }
    Ok(())
}
