//! Gives an existing couple a year of content, for the server benchmark
//! (`scripts/bench-server`): see `tests/common/year.rs`.
//!
//! cargo run --release -p rekindle-storage --example seed_year -- DATABASE EMAIL
//!   DATABASE: a data dir (SQLite) or a postgres:// URL; EMAIL: one partner's.

use rekindle_storage::Repo;

#[path = "../tests/common/year.rs"]
mod year;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [db, email] = args.as_slice() else {
        return Err("usage: seed_year DATABASE EMAIL".into());
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
    Ok(())
}
