//! What the storage suites share: people, a couple's space, a viewer.

#![allow(dead_code)] // each test binary uses a different part

use rekindle_storage::*;
use rekindle_testkit::id;

/// Someone called `id` in capitals, `{id}@example.org`, in UTC.
pub async fn person(repo: &Repo, id: &str) {
    person_named(repo, id, &format!("{id}@example.org"), &id.to_uppercase()).await;
}

/// Someone with this address and name, in UTC.
pub async fn person_named(repo: &Repo, id: &str, email: &str, name: &str) {
    repo.create_user(&NewUser {
        id: id.into(),
        email: email.to_owned(),
        password_hash: "$argon2id$stub".into(),
        display_name: name.to_owned(),
        time_zone: "UTC".into(),
        created_at: 1,
    })
    .await
    .unwrap();
}

/// `first` opens the space `couple` (at 10) and invites with `code` (invitation
/// `inv-{code}`, valid until `expires_at`); `second` accepts (at 20).
pub async fn join(
    repo: &Repo,
    couple: &str,
    first: &str,
    second: &str,
    code: &str,
    expires_at: i64,
) {
    repo.create_space(&id(couple), &id(first), 10)
        .await
        .unwrap();
    repo.create_invitation(&NewInvitation {
        id: format!("inv-{code}").into(),
        couple_id: couple.into(),
        code_hash: code.into(),
        created_by: first.into(),
        created_at: 0,
        expires_at,
    })
    .await
    .unwrap();
    repo.accept_invitation(code, &id(second), 20).await.unwrap();
}

/// What `who` may see: their space as it is now.
pub async fn viewer(repo: &Repo, who: &str) -> Viewer {
    let who = UserId::from(who);
    let space = repo.space_of(&who).await.unwrap();
    Viewer::new(&who, space.as_ref())
}
