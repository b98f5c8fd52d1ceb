//! Bearer tokens: "<id>.<secret>", random. The id finds the row; the secret is kept only as
//! sha256(salt || secret) with a salt of its own, and compared in constant time.

use sha2::{Digest, Sha256};

/// A new token and what is stored of it.
pub struct Issued {
    /// Given to its holder once, never stored.
    pub token: String,
    pub id: String,
    pub salt: [u8; 16],
    pub hash: [u8; 32],
}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).expect("the operating system's random numbers");
    b
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub fn hash(salt: &[u8], secret: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(secret.as_bytes());
    h.finalize().into()
}

/// A fresh token: 8 random bytes of id, 24 of secret.
pub fn issue() -> Issued {
    let (id, secret, salt) = (hex(&random::<8>()), hex(&random::<24>()), random::<16>());
    Issued { token: format!("{id}.{secret}"), hash: hash(&salt, &secret), id, salt }
}

/// A token's id and secret, if it has the shape of one.
pub fn split(token: &str) -> Option<(&str, &str)> {
    let (id, secret) = token.split_once('.')?;
    let hexy = |s: &str, n: usize| s.len() == n && s.bytes().all(|c| c.is_ascii_hexdigit());
    (hexy(id, 16) && hexy(secret, 48)).then_some((id, secret))
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether `secret` is the one stored as (salt, hash).
pub fn verify(secret: &str, salt: &[u8], stored: &[u8]) -> bool {
    constant_time_eq(&hash(salt, secret), stored)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_verifies_against_what_is_stored_and_nothing_else() {
        let a = issue();
        let (id, secret) = split(&a.token).unwrap();
        assert_eq!(id, a.id);
        assert!(verify(secret, &a.salt, &a.hash));
        let b = issue();
        let (_, other) = split(&b.token).unwrap();
        assert!(!verify(other, &a.salt, &a.hash));
        // The same secret with another salt hashes differently: a stolen table is no lookup table.
        assert_ne!(hash(&b.salt, secret), a.hash);
        assert!(!a.token.contains(&hex(&a.hash)));
        assert_eq!(split("nope"), None);
        assert_eq!(split(&format!("{}.{}x", a.id, &secret[1..])), None);
    }
}
