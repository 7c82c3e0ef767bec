//! The one place for CSPRNG output, keyed hashes and constant-time comparison.

use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hmac::{Hmac, Mac};
use rand::distributions::{Distribution, Uniform};
use rand::rngs::OsRng;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretBox, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// `n` random bytes from the OS CSPRNG.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    OsRng.fill_bytes(&mut buf);
    buf
}

/// `n` random bytes from the OS CSPRNG, hex-encoded (2n characters).
pub fn random_hex(n: usize) -> String {
    hex(&random_bytes(n))
}

/// A new opaque identifier: 128 bits from the CSPRNG.
pub fn random_id() -> String {
    random_hex(16)
}

/// A bearer token: 256 bits from the CSPRNG, URL-safe.
pub fn new_token() -> SecretString {
    SecretString::from(random_hex(32))
}

/// An app password: 16 letters a–z, uniformly from the CSPRNG (16·log2(26) ≈ 75 bits).
pub fn new_app_password() -> SecretString {
    let letters = Uniform::from(b'a'..=b'z');
    let s: String = (0..16).map(|_| letters.sample(&mut OsRng) as char).collect();
    SecretString::from(s)
}

/// A 6-digit code for text, voice and email, uniformly from the CSPRNG.
pub fn new_code() -> SecretString {
    SecretString::from(format!("{:06}", Uniform::from(0..1_000_000u32).sample(&mut OsRng)))
}

/// A TOTP key: 160 bits, as RFC 4226 recommends.
pub fn new_totp_key() -> Vec<u8> {
    random_bytes(20)
}

/// The app password as typed by a person or a legacy client: spaces and dashes
/// dropped, lower-cased. `None` when it cannot be an app password.
pub fn normalize_app_password(raw: &str) -> Option<String> {
    let s: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    (s.len() == 16 && s.bytes().all(|b| b.is_ascii_lowercase())).then_some(s)
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// Constant-time equality of two byte strings.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 0xf) as usize] as char);
    }
    s
}

pub fn unhex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

/// The server key behind every keyed hash (app passwords, sent codes) and every sealed
/// value (authenticator keys at rest).
pub struct ServerKey(SecretBox<[u8; 32]>);

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKey([redacted])")
    }
}

impl ServerKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(SecretBox::new(Box::new(bytes)))
    }

    /// From `APP_SECRET_KEY` if set, else from `file`. Only when `create` is true (demo
    /// mode) is a missing file created (mode 0600); otherwise a missing key is an error:
    /// a new key would silently invalidate every app password and sealed seed.
    pub fn load(file: &Path, create: bool) -> anyhow::Result<Self> {
        if let Ok(hexed) = std::env::var("APP_SECRET_KEY") {
            return Self::parse(&hexed)
                .ok_or_else(|| anyhow::anyhow!("APP_SECRET_KEY must be 64 hex digits"));
        }
        match std::fs::read_to_string(file) {
            Ok(text) => Self::parse(&text)
                .ok_or_else(|| anyhow::anyhow!("{} must hold 64 hex digits", file.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
                // Another process starting at the same moment may have just made it:
                // then that key is the one (create_new never overwrites).
                match Self::generate(file) {
                    Ok(()) => {
                        tracing::info!(file = %file.display(), "demo mode: created a new server key")
                    }
                    Err(_) if file.exists() => {}
                    Err(e) => return Err(e),
                }
                Self::load(file, false)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => anyhow::bail!(
                "no server key: {} does not exist and APP_SECRET_KEY is not set. Create one with \
                 `app-passwords-server key generate --file {}` (and keep it: app passwords and \
                 authenticator keys cannot be read without it), or run with --demo",
                file.display(),
                file.display()
            ),
            Err(e) => anyhow::bail!("cannot read the server key {}: {e}", file.display()),
        }
    }

    /// Writes a new random key to `file` (mode 0600); refuses to overwrite one.
    pub fn generate(file: &Path) -> anyhow::Result<()> {
        generate_secret_file(file)
            .map_err(|e| anyhow::anyhow!("cannot create the server key {}: {e}", file.display()))
    }

    fn parse(hexed: &str) -> Option<Self> {
        let bytes: [u8; 32] = unhex(hexed)?.try_into().ok()?;
        Some(Self::from_bytes(bytes))
    }

    /// HMAC-SHA256 of `data` under this key, separated by `purpose`, hex-encoded.
    pub fn keyed_hash(&self, purpose: &str, data: &[u8]) -> String {
        hex(&self.mac(purpose, data))
    }

    pub fn mac(&self, purpose: &str, data: &[u8]) -> [u8; 32] {
        // HMAC accepts keys of any length: this cannot fail.
        let mut mac = match <HmacSha256 as Mac>::new_from_slice(self.0.expose_secret()) {
            Ok(m) => m,
            Err(_) => return [0; 32],
        };
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(data);
        mac.finalize().into_bytes().into()
    }

    fn sealer(&self, purpose: &str) -> ChaCha20Poly1305 {
        ChaCha20Poly1305::new(Key::from_slice(&self.mac("seal", purpose.as_bytes())))
    }

    /// Encrypts `plain` (ChaCha20-Poly1305 under a key derived for `purpose`), bound to
    /// `bound_to` (the row id, as associated data): a sealed value copied to another row
    /// does not open. `v1:` then hex of nonce and ciphertext.
    pub fn seal(&self, purpose: &str, bound_to: &str, plain: &[u8]) -> String {
        let nonce = random_bytes(12);
        let payload = Payload { msg: plain, aad: bound_to.as_bytes() };
        // Encryption fails only for messages over 256 GiB.
        let sealed =
            self.sealer(purpose).encrypt(Nonce::from_slice(&nonce), payload).unwrap_or_default();
        format!("{SEALED_PREFIX}{}", hex(&[nonce, sealed].concat()))
    }

    /// The plaintext of [`Self::seal`]'s output, if it opens under this key and row.
    pub fn open(&self, purpose: &str, bound_to: &str, sealed: &str) -> Option<SecretBox<Vec<u8>>> {
        let bytes = unhex(sealed.strip_prefix(SEALED_PREFIX)?)?;
        let (nonce, ct) = bytes.split_at_checked(12)?;
        let payload = Payload { msg: ct, aad: bound_to.as_bytes() };
        let plain = self.sealer(purpose).decrypt(Nonce::from_slice(nonce), payload).ok()?;
        Some(SecretBox::new(Box::new(plain)))
    }
}

/// Writes 32 random bytes, hex-encoded, to a new `file` (mode 0600), creating its
/// folder; never overwrites one. A server key, or a mail server's shared secret.
pub fn generate_secret_file(file: &Path) -> std::io::Result<()> {
    write_new_private(file, &random_hex(32))
}

/// The text of a file of secrets named by `setting`: `file`, or with `demo` and no
/// file, `demo_file`, created first with `demo_contents` when missing (another process
/// starting at the same moment may create it: then that one is read). `None`: neither
/// configured. A file that cannot be read is an error naming the setting.
pub fn read_secrets_file(
    setting: &str,
    file: Option<&Path>,
    demo: bool,
    demo_file: &str,
    demo_contents: impl FnOnce() -> String,
) -> anyhow::Result<Option<(std::path::PathBuf, String)>> {
    let file = match (file, demo) {
        (Some(file), _) => file.to_owned(),
        (None, true) => {
            let file = std::path::PathBuf::from(demo_file);
            if !file.exists()
                && write_new_private(&file, &demo_contents()).is_err()
                && !file.exists()
            {
                anyhow::bail!("{setting}: cannot create {}", file.display());
            }
            file
        }
        (None, false) => return Ok(None),
    };
    let text = std::fs::read_to_string(&file)
        .map_err(|e| anyhow::anyhow!("{setting}: cannot read {}: {e}", file.display()))?;
    Ok(Some((file, text)))
}

/// Writes `contents` to a new `file` (mode 0600), creating its folder; never
/// overwrites one.
pub fn write_new_private(file: &Path, contents: &str) -> std::io::Result<()> {
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    write_private(file, contents)
}

/// What every sealed value starts with (the format's version).
pub const SEALED_PREFIX: &str = "v1:";

#[cfg(unix)]
fn write_private(file: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(file)?;
    f.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(file: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(file, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_hex_has_the_asked_length_and_differs_each_time() {
        let a = random_hex(16);
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, random_hex(16));
    }

    #[test]
    fn app_passwords_are_sixteen_lowercase_letters_and_use_the_whole_alphabet() {
        let mut seen = [false; 26];
        for _ in 0..200 {
            let pw = new_app_password();
            let s = pw.expose_secret();
            assert_eq!(s.len(), 16);
            for b in s.bytes() {
                assert!(b.is_ascii_lowercase());
                seen[(b - b'a') as usize] = true;
            }
        }
        assert!(seen.iter().all(|s| *s), "3200 letters should cover a–z");
    }

    #[test]
    fn app_passwords_are_accepted_with_or_without_display_spaces() {
        assert_eq!(
            normalize_app_password("abcd efgh ijkl mnop").as_deref(),
            Some("abcdefghijklmnop")
        );
        assert_eq!(
            normalize_app_password("ABCD-EFGH-IJKL-MNOP").as_deref(),
            Some("abcdefghijklmnop")
        );
        assert_eq!(normalize_app_password("abcd efgh ijkl mno"), None);
        assert_eq!(normalize_app_password("Demo-new-2026"), None);
    }

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..100 {
            let c = new_code();
            assert!(wire::rules::code(c.expose_secret()).is_some());
        }
    }

    #[test]
    fn keyed_hashes_depend_on_key_purpose_and_data() {
        let k1 = ServerKey::from_bytes([1; 32]);
        let k2 = ServerKey::from_bytes([2; 32]);
        let h = k1.keyed_hash("app-password", b"abc");
        assert_eq!(h, k1.keyed_hash("app-password", b"abc"));
        assert_ne!(h, k2.keyed_hash("app-password", b"abc"));
        assert_ne!(h, k1.keyed_hash("code", b"abc"));
        assert!(!format!("{k1:?}").contains('1'));
    }

    #[test]
    fn the_key_file_is_created_only_in_demo_mode_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("k");
        let refused = ServerKey::load(&file, false).unwrap_err().to_string();
        assert!(refused.contains("no server key") && refused.contains("key generate"), "{refused}");
        assert!(!file.exists());
        let a = ServerKey::load(&file, true).unwrap();
        let b = ServerKey::load(&file, false).unwrap();
        assert_eq!(a.keyed_hash("x", b"y"), b.keyed_hash("x", b"y"));
        assert!(ServerKey::generate(&file).is_err(), "an existing key is never overwritten");
    }

    #[test]
    fn sealed_values_open_only_under_the_same_key_purpose_and_row() {
        let k = ServerKey::from_bytes([7; 32]);
        let sealed = k.seal("totp", "row-1", b"JBSWY3DPEHPK3PXP");
        assert!(sealed.starts_with("v1:") && !sealed.contains("JBSWY3DP"));
        assert_eq!(k.open("totp", "row-1", &sealed).unwrap().expose_secret(), b"JBSWY3DPEHPK3PXP");
        assert!(k.open("totp", "row-2", &sealed).is_none(), "bound to its row");
        assert!(k.open("other", "row-1", &sealed).is_none(), "bound to its purpose");
        assert!(ServerKey::from_bytes([8; 32]).open("totp", "row-1", &sealed).is_none());
        assert!(k.open("totp", "row-1", "JBSWY3DPEHPK3PXP").is_none(), "plain text is not sealed");
        assert_ne!(sealed, k.seal("totp", "row-1", b"JBSWY3DPEHPK3PXP"), "fresh nonce each time");
    }
}
