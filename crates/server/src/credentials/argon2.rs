//! Primary passwords: Argon2id with OWASP's parameters, checked off the async runtime
//! and never more than a few at once. Each check needs 19 MiB for tens of
//! milliseconds, so checks run on a fixed set of worker threads, each reusing one
//! memory buffer: a flood of sign-ins queues for a worker (briefly) instead of each
//! getting a thread and an allocation that the allocator then keeps; past the wait the
//! caller answers 503 with Retry-After. Memory for hashing is 19 MiB for each thread of
//! both turns (below): workers + half of them (at least one), whatever the load.
//!
//! A slot that comes free goes first to a check marked [`Turn::First`] (a sign-in from a
//! network the person signed in from lately, a signed-in person's password change), then
//! to the others in order of arrival: a password spray from anywhere else, however large,
//! queues behind the organization's own people instead of in front of them; and those
//! others hold at most half the slots (at least one).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::time::Duration;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::oneshot;

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

/// Whose turn a check waits for when every hashing slot is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    /// Before any [`Turn::InOrder`] check still waiting: people the server knows (a
    /// sign-in from a familiar network, a signed-in person).
    First,
    /// In order of arrival, after every `First` waiting.
    InOrder,
}

/// The hashing slots (one per worker) and the checks waiting for one, by turn.
struct Slots {
    state: Mutex<Waiting>,
}

#[derive(Default)]
struct Waiting {
    free: usize,
    /// Slots held by [`Turn::InOrder`] checks, and how many they may hold at once.
    in_order_held: usize,
    in_order_max: usize,
    first: VecDeque<oneshot::Sender<Slot>>,
    in_order: VecDeque<oneshot::Sender<Slot>>,
}

impl Waiting {
    /// Takes a free slot for `turn`, when it may have one.
    fn take(&mut self, turn: Turn) -> bool {
        let may = self.free > 0 && (turn == Turn::First || self.in_order_held < self.in_order_max);
        if may {
            self.free -= 1;
            self.in_order_held += usize::from(turn == Turn::InOrder);
        }
        may
    }

    /// Gives back a slot taken for `turn`.
    fn give_back(&mut self, turn: Turn) {
        self.free += 1;
        self.in_order_held -= usize::from(turn == Turn::InOrder);
    }
}

/// A slot held; dropped, it goes to the next check waiting (or back to the free ones).
/// One dropped before its waiter took it (the waiter gave up) goes on the same way.
struct Slot {
    slots: Arc<Slots>,
    turn: Turn,
    armed: bool,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if self.armed {
            self.slots.release(self.turn);
        }
    }
}

impl Slots {
    /// `count` slots, of which checks in order of arrival (people the server does not
    /// know, a spray among them) may hold half (at least one): the rest of the machine
    /// stays for the mail clients and for the people it knows, whatever the spray.
    fn new(count: usize) -> Arc<Self> {
        let in_order_max = (count / 2).max(1);
        Arc::new(Self {
            state: Mutex::new(Waiting { free: count, in_order_max, ..Waiting::default() }),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Waiting> {
        // Nothing panics while holding it; a poisoned lock's data is still whole.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A slot, waiting at most `wait` for one in `turn`.
    async fn acquire(self: &Arc<Self>, turn: Turn, wait: Duration) -> Result<Slot, Busy> {
        let rx = {
            let mut state = self.lock();
            // A slot this turn may take means no check of this turn waits: a released
            // slot goes to a waiter first.
            if state.take(turn) {
                return Ok(Slot { slots: self.clone(), turn, armed: true });
            }
            let (tx, rx) = oneshot::channel();
            match turn {
                Turn::First => state.first.push_back(tx),
                Turn::InOrder => state.in_order.push_back(tx),
            }
            rx
        };
        // Given up (timed out), a slot sent meanwhile is dropped with `rx` and goes on.
        match tokio::time::timeout(wait, rx).await {
            Ok(Ok(slot)) => Ok(slot),
            _ => Err(Busy),
        }
    }

    /// Takes back a slot held in `turn` and hands the free ones to the checks waiting,
    /// `First` ones before the others (those within their share).
    fn release(self: &Arc<Self>, turn: Turn) {
        let mut state = self.lock();
        state.give_back(turn);
        loop {
            let next = if !state.first.is_empty() && state.take(Turn::First) {
                state.first.pop_front().map(|tx| (tx, Turn::First))
            } else if !state.in_order.is_empty() && state.take(Turn::InOrder) {
                state.in_order.pop_front().map(|tx| (tx, Turn::InOrder))
            } else {
                return;
            };
            let Some((tx, turn)) = next else { return };
            if let Err(mut slot) = tx.send(Slot { slots: self.clone(), turn, armed: true }) {
                // That waiter gave up: disarm the slot (its drop would take this lock
                // again), take it back and try the next.
                slot.armed = false;
                state.give_back(turn);
            }
        }
    }
}

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

/// How much less CPU a thread hashing for people the server does not know gets than the
/// threads answering requests, when both want it (the nice value, of 19): that hashing
/// uses what the rest leaves, so a spray that keeps it busy does not slow the mail
/// clients' checks (an HMAC and a read each), nor anyone's other requests, nor the
/// people the server knows (hashed at the process's priority). Alone on the machine it
/// runs at full speed all the same.
const HASH_NICENESS: i32 = 10;

/// Starts `count` hashing threads named `name-<n>` at `niceness`; they take jobs from the
/// channel returned until it is dropped.
fn pool(
    name: &str,
    count: usize,
    niceness: i32,
    stats: &Arc<HashStats>,
) -> anyhow::Result<mpsc::Sender<Job>> {
    let (jobs, rx) = mpsc::channel();
    let rx = Arc::new(Mutex::new(rx));
    for n in 0..count {
        let (rx, stats) = (rx.clone(), stats.clone());
        std::thread::Builder::new()
            .name(format!("{name}-{n}"))
            .spawn(move || work(rx, stats, niceness))?;
    }
    Ok(jobs)
}

/// A worker: takes jobs until the hasher is dropped, hashing in its own buffer.
fn work(jobs: Arc<Mutex<mpsc::Receiver<Job>>>, stats: Arc<HashStats>, niceness: i32) {
    // Linux: the calling thread's niceness (elsewhere it would be the whole process's).
    #[cfg(target_os = "linux")]
    if niceness != 0 {
        if let Err(e) = rustix::process::setpriority_process(None, niceness) {
            tracing::warn!(error = %e, "a hashing thread keeps the process's CPU priority");
        }
    }
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
    /// Where checks of each turn are hashed: threads at the process's CPU priority for
    /// [`Turn::First`], at a lower one for the others.
    first_jobs: mpsc::Sender<Job>,
    in_order_jobs: mpsc::Sender<Job>,
    slots: Arc<Slots>,
    queue_wait: Duration,
    /// A hash of a random password, checked when the account does not exist so that
    /// unknown and known usernames cost the same time. Made at start-up, not on the
    /// first unknown username.
    dummy: String,
    stats: Arc<HashStats>,
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hasher").field("free", &self.slots.lock().free).finish_non_exhaustive()
    }
}

/// The hash checked in place of a missing one (see [`Hasher::verify`]): of a random
/// password, at the cost of a real one; made once per process (a test run starts
/// hundreds of servers).
fn dummy() -> anyhow::Result<String> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(dummy) = DUMMY.get() {
        return Ok(dummy.clone());
    }
    let made = hash(&SecretString::from(crypto::random_hex(16)))?;
    Ok(DUMMY.get_or_init(|| made).clone())
}

impl Hasher {
    /// Starts `workers` hashing threads; a check waits at most `queue_wait` for one.
    pub fn new(workers: usize, queue_wait: Duration) -> anyhow::Result<Self> {
        let workers = workers.max(1);
        let stats = Arc::new(HashStats::default());
        let slots = Slots::new(workers);
        // As many threads as checks of each turn may run at once.
        let in_order_max = slots.lock().in_order_max;
        Ok(Self {
            first_jobs: pool("argon2", workers, 0, &stats)?,
            in_order_jobs: pool("argon2-low", in_order_max, HASH_NICENESS, &stats)?,
            slots,
            queue_wait,
            dummy: dummy()?,
            stats,
        })
    }

    pub fn stats(&self) -> Arc<HashStats> {
        self.stats.clone()
    }

    /// Whether `password` matches `hash`; with `None` (no such account, or an account
    /// whose password is not accepted here) the dummy hash is checked and the answer is
    /// `false`, in the same time. Waits for a slot in `turn`.
    pub async fn verify(
        &self,
        hash: Option<&str>,
        password: SecretString,
        turn: Turn,
    ) -> Result<bool, Busy> {
        let known = hash.is_some();
        let phc = hash.unwrap_or(&self.dummy).to_owned();
        // One slot per worker: a job handed over always finds an idle worker.
        self.stats.waiting.fetch_add(1, Ordering::SeqCst);
        let slot = self.slots.acquire(turn, self.queue_wait).await;
        self.stats.waiting.fetch_sub(1, Ordering::SeqCst);
        let slot = slot?;
        let (reply, answer) = oneshot::channel();
        let jobs = match slot.turn {
            Turn::First => &self.first_jobs,
            Turn::InOrder => &self.in_order_jobs,
        };
        jobs.send(Job { phc, password, reply }).map_err(|_| Busy)?;
        let ok = answer.await.map_err(|_| Busy)?;
        drop(slot);
        Ok(ok && known)
    }

    /// Hashes a new password, within the same bound on hashes at once (a password
    /// change is rare and a signed-in person's: a blocking thread of its own, holding a
    /// slot, first in turn).
    pub async fn hash_new(&self, password: SecretString) -> Result<String, Busy> {
        let _slot = self.slots.acquire(Turn::First, self.queue_wait).await?;
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
        assert_eq!(hasher.verify(Some(&h), pw.clone(), Turn::InOrder).await, Ok(true));
        assert_eq!(
            hasher.verify(Some(&h), SecretString::from("wrong"), Turn::InOrder).await,
            Ok(false)
        );
        assert_eq!(hasher.verify(None, pw, Turn::InOrder).await, Ok(false));
        assert_eq!(hasher.stats().evaluations(), 3);
        assert_eq!(
            hasher.verify(Some("not a hash"), SecretString::from("x"), Turn::First).await,
            Ok(false)
        );
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
                tokio::spawn(
                    async move { h.verify(None, SecretString::from("x"), Turn::InOrder).await },
                )
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

    /// A slot that comes free goes to the first `First` waiting, then to the others in
    /// order of arrival; a waiter that gave up does not take a slot with it.
    #[tokio::test]
    async fn a_free_slot_goes_to_people_the_server_knows_first_then_in_order() {
        let slots = Slots::new(1);
        let held = slots.acquire(Turn::InOrder, Duration::ZERO).await.unwrap();
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut waiters = Vec::new();
        let wait = Duration::from_secs(60);
        for (name, turn) in [("a", Turn::InOrder), ("b", Turn::InOrder), ("c", Turn::First)] {
            let (mine, order) = (slots.clone(), order.clone());
            waiters.push(tokio::spawn(async move {
                let _slot = mine.acquire(turn, wait).await.unwrap();
                order.lock().unwrap().push(name);
            }));
            // Queued before the next one arrives.
            let queued = || {
                let state = slots.lock();
                state.first.len() + state.in_order.len()
            };
            while queued() < waiters.len() {
                tokio::task::yield_now().await;
            }
        }
        // One gives up while the slot is held.
        assert_eq!(slots.acquire(Turn::First, Duration::from_millis(1)).await.err(), Some(Busy));
        drop(held);
        for waiter in waiters {
            waiter.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), ["c", "a", "b"]);
        assert_eq!(slots.lock().free, 1, "the slot is free again, none lost");
    }

    /// Checks in order of arrival hold at most half the slots: a spray cannot take the
    /// whole machine, and a person the server knows finds a slot at once beside it.
    #[tokio::test]
    async fn checks_in_order_of_arrival_hold_half_the_slots_at_most() {
        let slots = Slots::new(4);
        let wait = Duration::from_millis(1);
        let spray = [
            slots.acquire(Turn::InOrder, wait).await.unwrap(),
            slots.acquire(Turn::InOrder, wait).await.unwrap(),
        ];
        assert_eq!(slots.acquire(Turn::InOrder, wait).await.err(), Some(Busy));
        let known = slots.acquire(Turn::First, wait).await.unwrap();
        let other = slots.acquire(Turn::First, wait).await.unwrap();
        drop((known, other));
        drop(spray);
        let state = slots.lock();
        assert_eq!((state.free, state.in_order_held), (4, 0), "none lost");
    }

    /// Hashing for people the server does not know yields the CPU to the threads
    /// answering requests; hashing for the people it knows does not.
    #[cfg(target_os = "linux")]
    #[test]
    fn hashing_for_unknown_people_runs_at_a_lower_cpu_priority() {
        let _hasher = Hasher::new(4, Duration::from_secs(1)).unwrap();
        // This process's hashing threads: (name, nice value).
        let threads = || -> Vec<(String, i32)> {
            let mut found = Vec::new();
            for task in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
                let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
                let Some(stat) = std::fs::read_to_string(task.path().join("stat")).ok() else {
                    continue;
                };
                // After the command's closing parenthesis: state is field 3, nice 19.
                let nice = stat.rsplit_once(')').unwrap().1.split_whitespace().nth(16).unwrap();
                if comm.starts_with("argon2-") {
                    found.push((comm.trim().to_owned(), nice.parse().unwrap()));
                }
            }
            found.sort();
            found
        };
        // (Other tests' hashers may be alive in this process too: their threads are
        // named alike.)
        let right = |threads: &[(String, i32)]| {
            let low = threads.iter().filter(|(n, _)| n.starts_with("argon2-low-"));
            let (low_count, normal_count) = (low.clone().count(), threads.len() - low.count());
            low_count >= 2
                && normal_count >= 4
                && threads.iter().all(|(n, nice)| *nice == if n.contains("low") { 10 } else { 0 })
        };
        let started = std::time::Instant::now();
        while !right(&threads()) {
            assert!(started.elapsed() < Duration::from_secs(30), "{:?}", threads());
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}
