//! Primary passwords: Argon2id with OWASP's parameters, checked off the async runtime
//! and never more than a few at once. Each check needs 19 MiB for tens of
//! milliseconds, so checks run on a fixed set of worker threads, each reusing one
//! memory buffer: a flood of sign-ins queues for a worker (briefly) instead of each
//! getting a thread and an allocation that the allocator then keeps; past the wait the
//! caller answers 503 with Retry-After. Memory for hashing is workers × 19 MiB, whatever
//! the load.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::{oneshot, Semaphore};

use crate::crypto;

/// OWASP's Argon2id recommendation: 19 MiB, 2 iterations, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a new password (admin CLI, demo seed): a PHC string.
pub fn hash(password: &SecretString) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.expose_secret().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
}

/// No hashing slot came free in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

/// What the hasher has done, for tests and benchmarks.
#[derive(Debug, Default)]
pub struct HashStats {
    in_flight: AtomicUsize,
    waiting: AtomicUsize,
    peak: AtomicUsize,
    evaluations: AtomicU64,
}

impl HashStats {
    /// Hashes computed since start.
    pub fn evaluations(&self) -> u64 {
        self.evaluations.load(Ordering::SeqCst)
    }

    /// Hashes being computed now.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    /// Checks waiting for a hashing slot now.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }

    /// The most hashes ever computed at the same time.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }
}

/// Checks `password` against the PHC string `phc`, hashing in `memory` (grown if the
/// stored parameters need more, then kept). Any malformed hash is a mismatch.
fn verify_in(memory: &mut Vec<Block>, phc: &str, password: &[u8]) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else { return false };
    let (Ok(algorithm), Ok(params)) =
        (Algorithm::try_from(parsed.algorithm), Params::try_from(&parsed))
    else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else { return false };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else { return false };
    if memory.len() < params.block_count() {
        memory.resize(params.block_count(), Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    let argon = Argon2::new(algorithm, version, params);
    argon.hash_password_into_with_memory(password, salt, &mut out, memory.as_mut_slice()).is_ok()
        && crypto::ct_eq(&out, expected.as_bytes())
}

/// One check for a worker: the stored hash, the password, where to answer.
struct Job {
    phc: String,
    password: SecretString,
    reply: oneshot::Sender<bool>,
}

/// A worker: takes jobs until the hasher is dropped, hashing in its own buffer.
fn work(jobs: Arc<Mutex<mpsc::Receiver<Job>>>, stats: Arc<HashStats>) {
    let mut memory: Vec<Block> = Vec::new();
    loop {
        let job = match jobs.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        let now = stats.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        stats.peak.fetch_max(now, Ordering::SeqCst);
        stats.evaluations.fetch_add(1, Ordering::SeqCst);
        let ok = verify_in(&mut memory, &job.phc, job.password.expose_secret().as_bytes());
        stats.in_flight.fetch_sub(1, Ordering::SeqCst);
        let _ = job.reply.send(ok);
    }
}

/// Verifies primary passwords with bounded concurrency and memory.
pub struct Hasher {
    jobs: mpsc::Sender<Job>,
    slots: Arc<Semaphore>,
    queue_wait: Duration,
    /// A hash of a random password, checked when the account does not exist so that
    /// unknown and known usernames cost the same time. Made at start-up, not on the
    /// first unknown username.
    dummy: String,
    stats: Arc<HashStats>,
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hasher")
            .field("slots", &self.slots.available_permits())
            .finish_non_exhaustive()
    }
}

impl Hasher {
    /// Starts `workers` hashing threads; a check waits at most `queue_wait` for one.
    pub fn new(workers: usize, queue_wait: Duration) -> anyhow::Result<Self> {
        let workers = workers.max(1);
        let stats = Arc::new(HashStats::default());
        let (jobs, rx) = mpsc::channel();
        let rx = Arc::new(Mutex::new(rx));
        for n in 0..workers {
            let (rx, stats) = (rx.clone(), stats.clone());
            std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || work(rx, stats))?;
        }
        Ok(Self {
            jobs,
            slots: Arc::new(Semaphore::new(workers)),
            queue_wait,
            dummy: hash(&SecretString::from(crypto::random_hex(16)))?,
            stats,
        })
    }

    pub fn stats(&self) -> Arc<HashStats> {
        self.stats.clone()
    }

    /// Whether `password` matches `hash`; with `None` (no such account, or an account
    /// whose password is not accepted here) the dummy hash is checked and the answer is
    /// `false`, in the same time.
    pub async fn verify(&self, hash: Option<&str>, password: SecretString) -> Result<bool, Busy> {
        let known = hash.is_some();
        let phc = hash.unwrap_or(&self.dummy).to_owned();
        // One permit per worker: a job handed over always finds an idle worker.
        self.stats.waiting.fetch_add(1, Ordering::SeqCst);
        let permit = tokio::time::timeout(self.queue_wait, self.slots.acquire()).await;
        self.stats.waiting.fetch_sub(1, Ordering::SeqCst);
        let _permit = permit.map_err(|_| Busy)?.map_err(|_| Busy)?;
        let (reply, answer) = oneshot::channel();
        self.jobs.send(Job { phc, password, reply }).map_err(|_| Busy)?;
        let ok = answer.await.map_err(|_| Busy)?;
        Ok(ok && known)
    }

    /// Hashes a new password, within the same bound on hashes at once (a password
    /// change is rare: a blocking thread of its own, holding a slot).
    pub async fn hash_new(&self, password: SecretString) -> Result<String, Busy> {
        let permit = tokio::time::timeout(self.queue_wait, self.slots.acquire()).await;
        let _permit = permit.map_err(|_| Busy)?.map_err(|_| Busy)?;
        tokio::task::spawn_blocking(move || hash(&password))
            .await
            .map_err(|_| Busy)?
            .map_err(|_| Busy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_nothing_else_and_unknown_users_cost_one_hash() {
        let hasher = Hasher::new(2, Duration::from_secs(5)).unwrap();
        let pw = SecretString::from("correct horse");
        let h = hash(&pw).unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(hasher.dummy.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "same cost");
        assert_eq!(hasher.verify(Some(&h), pw.clone()).await, Ok(true));
        assert_eq!(hasher.verify(Some(&h), SecretString::from("wrong")).await, Ok(false));
        assert_eq!(hasher.verify(None, pw).await, Ok(false));
        assert_eq!(hasher.stats().evaluations(), 3);
        assert_eq!(hasher.verify(Some("not a hash"), SecretString::from("x")).await, Ok(false));
    }

    #[test]
    fn checking_in_reused_memory_agrees_with_the_argon2_crate() {
        use argon2::PasswordVerifier;
        let mut memory = Vec::new();
        for pw in ["correct horse", "é-ü-ß ✓", ""] {
            let h = hash(&SecretString::from(pw)).unwrap_or_default();
            let parsed = PasswordHash::new(&h).ok();
            let reference = |p: &str| {
                parsed.as_ref().is_some_and(|ph| argon2().verify_password(p.as_bytes(), ph).is_ok())
            };
            for attempt in [pw, "wrong", "correct horsE"] {
                assert_eq!(
                    verify_in(&mut memory, &h, attempt.as_bytes()),
                    reference(attempt),
                    "{pw:?} / {attempt:?}"
                );
            }
        }
        assert_eq!(memory.len(), 19 * 1024, "one 19 MiB buffer, reused");
    }

    #[tokio::test]
    async fn no_more_hashes_run_at_once_than_there_are_slots_and_the_queue_wait_is_bounded() {
        let hasher = Arc::new(Hasher::new(1, Duration::from_millis(1)).unwrap());
        let tries: Vec<_> = (0..8)
            .map(|_| {
                let h = hasher.clone();
                tokio::spawn(async move { h.verify(None, SecretString::from("x")).await })
            })
            .collect();
        let mut busy = 0;
        for t in tries {
            if t.await.unwrap() == Err(Busy) {
                busy += 1;
            }
        }
        assert_eq!(hasher.stats().peak(), 1);
        assert!(busy > 0, "with one slot and a 1 ms wait, some of 8 must be turned away");
    }
}
