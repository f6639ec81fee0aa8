//! Secrets: random tokens, their stored digests, and password hashes.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::PasswordHashing;

/// A random URL-safe token of `bytes` bytes of entropy.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// Record ids: 128 random bits, so ids cannot be enumerated across couples.
pub fn new_id() -> String {
    random_token(16)
}

/// What the database keeps of a bearer secret (session id, API token, invite code):
/// a leaked table gives no usable credential.
pub fn digest(secret: &str) -> String {
    let hash = Sha256::digest(secret.as_bytes());
    URL_SAFE_NO_PAD.encode(hash)
}

pub fn same(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

fn hasher(mode: PasswordHashing) -> Argon2<'static> {
    let params = match mode {
        // OWASP: argon2id, 19 MiB, 2 iterations, 1 lane.
        PasswordHashing::Standard => Params::new(19 * 1024, 2, 1, None),
        PasswordHashing::FastInsecure => Params::new(256, 1, 1, None),
    }
    .expect("argon2 parameters are valid constants");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Password hashing runs on threads of its own, one per core, not on tokio's
/// blocking pool. Each hash takes 19 MiB, and the allocator keeps that memory
/// per thread that used it: on the blocking pool (hundreds of threads) a burst
/// of sign-ups left the server above 1 GiB. A burst now waits its turn; the
/// cores were busy anyway.
mod hashing_threads {
    use std::sync::mpsc::{Receiver, Sender, channel};
    use std::sync::{Arc, LazyLock, Mutex};

    type Job = Box<dyn FnOnce() + Send>;

    static QUEUE: LazyLock<Sender<Job>> = LazyLock::new(|| {
        let (tx, rx) = channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let n = std::thread::available_parallelism().map_or(2, |n| n.get());
        for i in 0..n {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("rekindle-hash-{i}"))
                .spawn(move || work(&rx));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a password hashing thread");
            }
        }
        tx
    });

    fn work(rx: &Mutex<Receiver<Job>>) {
        loop {
            let job = match rx.lock().unwrap_or_else(|e| e.into_inner()).recv() {
                Ok(job) => job,
                Err(_) => return,
            };
            // A panicking job must not take the thread with it.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
        }
    }

    /// Runs `f` on a hashing thread; `None` if it could not run.
    pub async fn run<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        QUEUE
            .send(Box::new(move || {
                let _ = tx.send(f());
            }))
            .ok()?;
        rx.await.ok()
    }
}

/// Hashes off the async workers: argon2 is deliberately slow.
pub async fn hash_password(password: String, mode: PasswordHashing) -> Result<String, String> {
    hashing_threads::run(move || {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        hasher(mode)
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| e.to_string())
    })
    .await
    .ok_or_else(|| "password hashing is unavailable".to_owned())?
}

pub async fn verify_password(password: String, hash: String) -> bool {
    hashing_threads::run(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A hash to verify against when the email is unknown, so both failures take the
/// same time and give the same answer.
pub fn decoy_hash(mode: PasswordHashing) -> String {
    static STANDARD: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    static FAST: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let cell = match mode {
        PasswordHashing::Standard => &STANDARD,
        PasswordHashing::FastInsecure => &FAST,
    };
    cell.get_or_init(|| {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        hasher(mode)
            .hash_password(b"decoy password never matches", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
    .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_at_least_128_bits_and_differ() {
        let a = random_token(16);
        assert_eq!(a.len(), 22);
        assert_ne!(a, random_token(16));
    }

    #[tokio::test]
    async fn passwords_verify_only_against_their_own_hash() {
        let h = hash_password("correct horse".into(), PasswordHashing::FastInsecure)
            .await
            .unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse".into(), h.clone()).await);
        assert!(!verify_password("wrong horse".into(), h).await);
        assert!(!verify_password("x".into(), "not a hash".into()).await);
    }
}
