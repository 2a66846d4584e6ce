//! The cryptography of a private portal: the key derived from the password
//! (PBKDF2-HMAC-SHA256), and sealing one file with AES-256-GCM under a
//! synthetic nonce, the file's site path bound as associated data.
//!
//! PBKDF2 gives 64 bytes: the first 32 are the AES key (all the browser
//! derives: PBKDF2's first output block does not depend on the length
//! asked for), the last 32 key the HMAC that makes each file's nonce from
//! its path and plaintext. The same file under the same key thus always
//! gets the same nonce (deterministic output with a fixed salt), and two
//! different plaintexts get different nonces except with negligible
//! probability, so a nonce is never reused for another message.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Bytes of an AES-GCM nonce, which starts every sealed file.
pub const NONCE_LEN: usize = 12;

/// Bytes of the salt drawn for a build without a fixed one.
pub const SALT_LEN: usize = 16;

/// The keys derived from the password.
#[derive(Clone)]
pub struct Keys {
    /// The AES-256-GCM key (what the browser derives and keeps).
    pub aes: [u8; 32],
    /// Keys the HMAC that makes nonces; never leaves the build.
    nonce: [u8; 32],
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(..)")
    }
}

/// PBKDF2-HMAC-SHA256 of `password` and `salt`, `len` bytes.
pub fn pbkdf2_sha256(password: &[u8], salt: &[u8], iterations: u32, len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len];
    pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, iterations, &mut out);
    out
}

impl Keys {
    /// Derive the keys: PBKDF2-HMAC-SHA256, 64 bytes, split in two.
    pub fn derive(password: &[u8], salt: &[u8], iterations: u32) -> Keys {
        let bytes = pbkdf2_sha256(password, salt, iterations, 64);
        let mut aes = [0u8; 32];
        let mut nonce = [0u8; 32];
        aes.copy_from_slice(&bytes[..32]);
        nonce.copy_from_slice(&bytes[32..]);
        Keys { aes, nonce }
    }

    /// The nonce of `plaintext` at `path`: HMAC-SHA256 under the nonce key
    /// over the path's length, the path and the plaintext, truncated.
    fn nonce_for(&self, path: &str, plaintext: &[u8]) -> [u8; NONCE_LEN] {
        let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&self.nonce)
            .expect("HMAC takes a key of any length");
        mac.update(&(path.len() as u64).to_be_bytes());
        mac.update(path.as_bytes());
        mac.update(plaintext);
        let tag = mac.finalize().into_bytes();
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&tag[..NONCE_LEN]);
        nonce
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(&self.aes.into())
    }

    /// `plaintext` sealed for `path`: the nonce, then the ciphertext with
    /// its 16-byte tag.
    pub fn seal(&self, path: &str, plaintext: &[u8]) -> Vec<u8> {
        let nonce = self.nonce_for(path, plaintext);
        let payload = Payload {
            msg: plaintext,
            aad: path.as_bytes(),
        };
        let sealed = self
            .cipher()
            .encrypt(&Nonce::from(nonce), payload)
            .expect("AES-GCM encrypts any message below 64 GiB");
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// The plaintext of a file sealed for `path`, or `None` when it was
    /// sealed under another key or for another path, or was altered.
    pub fn open(&self, path: &str, sealed: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < NONCE_LEN {
            return None;
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().ok()?;
        let payload = Payload {
            msg: body,
            aad: path.as_bytes(),
        };
        self.cipher().decrypt(&Nonce::from(nonce), payload).ok()
    }
}

/// A fresh random salt.
pub fn random_salt() -> Result<[u8; SALT_LEN], String> {
    let mut salt = [0u8; SALT_LEN];
    getrandom::fill(&mut salt).map_err(|e| format!("no random salt from the system: {e}"))?;
    Ok(salt)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// RFC 7914, section 11: PBKDF2-HMAC-SHA256 (P="passwd", S="salt",
    /// c=1, dkLen=64).
    #[test]
    fn pbkdf2_matches_the_rfc_7914_vector() {
        let expected = "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc\
                        49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783";
        assert_eq!(hex(&pbkdf2_sha256(b"passwd", b"salt", 1, 64)), expected);
        // The AES key is the first half: what the browser derives asking
        // for 32 bytes only.
        let keys = Keys::derive(b"passwd", b"salt", 1);
        assert_eq!(hex(&keys.aes), &expected[..64]);
        assert_eq!(
            hex(&pbkdf2_sha256(b"passwd", b"salt", 1, 32)),
            &expected[..64]
        );
    }

    fn keys() -> Keys {
        Keys::derive(b"rahasia", b"0123456789abcdef", 2)
    }

    #[test]
    fn a_sealed_file_opens_for_its_path_only() {
        let keys = keys();
        let plain = b"Order O1: 2,000 for Set".to_vec();
        let sealed = keys.seal("shop/index.html", &plain);
        assert_eq!(sealed.len(), NONCE_LEN + plain.len() + 16);
        assert!(!sealed.windows(5).any(|w| w == b"2,000"));
        assert_eq!(keys.open("shop/index.html", &sealed), Some(plain.clone()));
        // Swapped associated data: the file moved to another path.
        assert_eq!(keys.open("shop/findings.html", &sealed), None);
        // Any flipped byte (nonce, body or tag) is refused.
        for at in [0, NONCE_LEN, sealed.len() - 1] {
            let mut bad = sealed.clone();
            bad[at] ^= 1;
            assert_eq!(keys.open("shop/index.html", &bad), None, "byte {at}");
        }
        assert_eq!(keys.open("shop/index.html", &sealed[..5]), None);
        // Another password's key does not open it.
        let other = Keys::derive(b"salah", b"0123456789abcdef", 2);
        assert_eq!(other.open("shop/index.html", &sealed), None);
    }

    #[test]
    fn sealing_is_deterministic_and_nonces_differ_by_path_and_text() {
        let first = keys();
        let a = first.seal("a.html", b"same");
        assert_eq!(a, keys().seal("a.html", b"same"));
        let keys = first;
        let b = keys.seal("b.html", b"same");
        let c = keys.seal("a.html", b"other");
        assert_ne!(a[..NONCE_LEN], b[..NONCE_LEN]);
        assert_ne!(a[..NONCE_LEN], c[..NONCE_LEN]);
    }

    #[test]
    fn another_salt_gives_another_key_and_ciphertext() {
        let one = Keys::derive(b"rahasia", b"0123456789abcdef", 2);
        let two = Keys::derive(b"rahasia", b"fedcba9876543210", 2);
        assert_ne!(one.aes, two.aes);
        assert_ne!(one.seal("a.html", b"text"), two.seal("a.html", b"text"));
        assert_ne!(random_salt().unwrap(), random_salt().unwrap());
    }
}
