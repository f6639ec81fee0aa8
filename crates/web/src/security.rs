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

/// Hashes off the async workers: argon2 is deliberately slow.
pub async fn hash_password(password: String, mode: PasswordHashing) -> Result<String, String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        hasher(mode)
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

pub async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
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
