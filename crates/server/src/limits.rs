//! Every limit of the endpoint, named, with its default and its flag, in one place; and
//! [`Budget`], which says which counter each limit applies to. The store enforces them
//! (`store::throttle`); handlers only name the budget they spend.

use clap::Args;

use crate::client::ClientAddr;
use crate::crypto;

/// Throttling, expiry and quota settings.
#[derive(Debug, Clone, Args)]
pub struct Limits {
    /// Wrong primary passwords per account within the window (web and legacy sign-in
    /// share it); counted before the hash is computed.
    #[arg(long, env = "APP_SIGNIN_ACCOUNT_LIMIT", default_value_t = 5)]
    pub signin_per_account: i64,
    /// Web sign-in attempts per client address (IPv6: per /64) within the window.
    #[arg(long, env = "APP_SIGNIN_ADDRESS_LIMIT", default_value_t = 30)]
    pub signin_per_address: i64,
    /// Window of the sign-in and legacy limits, in seconds.
    #[arg(long, env = "APP_SIGNIN_WINDOW", default_value_t = 300)]
    pub signin_window: i64,
    /// Failed legacy sign-ins (wrong or revoked app passwords) per account from one
    /// end-client address within the window: a mail client retrying a revoked app
    /// password blocks itself, not its owner's other clients nor the web sign-in.
    #[arg(long, env = "APP_LEGACY_CLIENT_LIMIT", default_value_t = 20)]
    pub legacy_per_client: i64,
    /// Failed legacy sign-ins per account from all addresses within the window.
    #[arg(long, env = "APP_LEGACY_ACCOUNT_LIMIT", default_value_t = 100)]
    pub legacy_per_account: i64,
    /// Failed legacy sign-ins per end-client address within the window.
    #[arg(long, env = "APP_LEGACY_ADDRESS_LIMIT", default_value_t = 60)]
    pub legacy_per_address: i64,
    /// Session idle timeout in seconds.
    #[arg(long, env = "APP_SESSION_IDLE", default_value_t = 15 * 60)]
    pub session_idle: i64,
    /// Session absolute lifetime in seconds.
    #[arg(long, env = "APP_SESSION_MAX", default_value_t = 8 * 3600)]
    pub session_max: i64,
    /// How long an MFA proof counts for app-password changes (step-up), in seconds.
    #[arg(long, env = "APP_STEP_UP", default_value_t = 10 * 60)]
    pub step_up: i64,
    /// App passwords per account.
    #[arg(long, env = "APP_PASSWORD_LIMIT", default_value_t = 40)]
    pub app_passwords: i64,
    /// Lifetime of a sent code in seconds.
    #[arg(long, env = "APP_CODE_TTL", default_value_t = 600)]
    pub code_ttl: i64,
    /// How long an enrollment or challenge stays open, in seconds.
    #[arg(long, env = "APP_PROOF_TTL", default_value_t = 900)]
    pub proof_ttl: i64,
    /// Wrong tries allowed per enrollment or challenge.
    #[arg(long, env = "APP_CODE_ATTEMPTS", default_value_t = 5)]
    pub code_attempts: i64,
    /// Wrong MFA codes per account within `mfa_window`, whatever the session,
    /// challenge or enrollment (NIST SP 800-63B §5.2.2).
    #[arg(long, env = "APP_MFA_FAILURE_LIMIT", default_value_t = 10)]
    pub mfa_failures: i64,
    /// Window of the MFA failure budget, in seconds.
    #[arg(long, env = "APP_MFA_WINDOW", default_value_t = 15 * 60)]
    pub mfa_window: i64,
    /// Consecutive wrong MFA codes after which MFA locks until an admin unlocks it.
    #[arg(long, env = "APP_MFA_LOCKOUT", default_value_t = 100)]
    pub mfa_lockout: i64,
    /// Challenges opened per account per hour.
    #[arg(long, env = "APP_CHALLENGE_LIMIT", default_value_t = 20)]
    pub challenges_per_hour: i64,
    /// Enrollments opened per account per hour.
    #[arg(long, env = "APP_ENROLLMENT_LIMIT", default_value_t = 10)]
    pub enrollments_per_hour: i64,
    /// Seconds before another code may be sent for the same enrollment or challenge.
    #[arg(long, env = "APP_RESEND_COOLDOWN", default_value_t = 30)]
    pub resend_cooldown: i64,
    /// Codes sent (text, call, email) per account per day.
    #[arg(long, env = "APP_SENDS_PER_ACCOUNT", default_value_t = 20)]
    pub sends_per_account: i64,
    /// Codes sent to one phone number or email address per day (toll fraud, bombing).
    #[arg(long, env = "APP_SENDS_PER_DESTINATION", default_value_t = 10)]
    pub sends_per_destination: i64,
    /// Password hashes (Argon2id, 19 MiB each) computed at once; 0 = one per core.
    #[arg(long, env = "APP_HASH_CONCURRENCY", default_value_t = 0)]
    pub hash_concurrency: usize,
    /// How long a sign-in waits for a hashing slot before answering 503, in ms.
    #[arg(long, env = "APP_HASH_QUEUE_MS", default_value_t = 1000)]
    pub hash_queue_ms: u64,
    /// Database connections each process (replica) opens at most.
    #[arg(long, env = "APP_DB_POOL_SIZE", default_value_t = 8)]
    pub db_pool_size: u32,
    /// How long an answer to a create request can be replayed with its
    /// Idempotency-Key, in seconds (it may hold a new app password, sealed).
    #[arg(long, env = "APP_IDEMPOTENCY_TTL", default_value_t = 10 * 60)]
    pub idempotency_ttl: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            signin_per_account: 5,
            signin_per_address: 30,
            signin_window: 300,
            legacy_per_client: 20,
            legacy_per_account: 100,
            legacy_per_address: 60,
            session_idle: 15 * 60,
            session_max: 8 * 3600,
            step_up: 10 * 60,
            app_passwords: 40,
            code_ttl: 600,
            proof_ttl: 900,
            code_attempts: 5,
            mfa_failures: 10,
            mfa_window: 15 * 60,
            mfa_lockout: 100,
            challenges_per_hour: 20,
            enrollments_per_hour: 10,
            resend_cooldown: 30,
            sends_per_account: 20,
            sends_per_destination: 10,
            hash_concurrency: 0,
            hash_queue_ms: 1000,
            idempotency_ttl: 10 * 60,
            db_pool_size: 8,
        }
    }
}

impl Limits {
    /// Refuses settings the server cannot honour (a zero window, a negative limit).
    pub fn validate(&self) -> anyhow::Result<()> {
        let positive = [
            ("APP_SIGNIN_ACCOUNT_LIMIT", self.signin_per_account),
            ("APP_SIGNIN_ADDRESS_LIMIT", self.signin_per_address),
            ("APP_SIGNIN_WINDOW", self.signin_window),
            ("APP_LEGACY_CLIENT_LIMIT", self.legacy_per_client),
            ("APP_LEGACY_ACCOUNT_LIMIT", self.legacy_per_account),
            ("APP_LEGACY_ADDRESS_LIMIT", self.legacy_per_address),
            ("APP_SESSION_IDLE", self.session_idle),
            ("APP_SESSION_MAX", self.session_max),
            ("APP_STEP_UP", self.step_up),
            ("APP_PASSWORD_LIMIT", self.app_passwords),
            ("APP_CODE_TTL", self.code_ttl),
            ("APP_PROOF_TTL", self.proof_ttl),
            ("APP_CODE_ATTEMPTS", self.code_attempts),
            ("APP_MFA_FAILURE_LIMIT", self.mfa_failures),
            ("APP_MFA_WINDOW", self.mfa_window),
            ("APP_MFA_LOCKOUT", self.mfa_lockout),
            ("APP_CHALLENGE_LIMIT", self.challenges_per_hour),
            ("APP_ENROLLMENT_LIMIT", self.enrollments_per_hour),
            ("APP_SENDS_PER_ACCOUNT", self.sends_per_account),
            ("APP_SENDS_PER_DESTINATION", self.sends_per_destination),
            ("APP_IDEMPOTENCY_TTL", self.idempotency_ttl),
        ];
        for (name, value) in positive {
            anyhow::ensure!(value > 0, "{name} must be at least 1 (it is {value})");
        }
        anyhow::ensure!(
            self.resend_cooldown >= 0,
            "APP_RESEND_COOLDOWN cannot be negative (it is {})",
            self.resend_cooldown
        );
        Ok(())
    }

    /// How many password hashes may run at once.
    pub fn hash_slots(&self) -> usize {
        match self.hash_concurrency {
            0 => std::thread::available_parallelism().map_or(1, usize::from),
            n => n,
        }
    }
}

const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;

/// A counter the store keeps for one limit and one key: at most `limit` hits per
/// `window` seconds, shared by every replica through the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    pub name: String,
    pub limit: i64,
    pub window: i64,
}

/// What a request spends, and from whose allowance.
#[derive(Debug, Clone, Copy)]
pub enum Budget<'a> {
    /// Every web sign-in attempt from one client address.
    SignInAddress(&'a ClientAddr),
    /// Wrong primary passwords for one username (web and legacy).
    Password(&'a str),
    /// Failed legacy sign-ins from one end-client address.
    LegacyAddress(&'a ClientAddr),
    /// Failed legacy sign-ins for one username from one end client.
    LegacyClient(&'a str, &'a ClientAddr),
    /// Failed legacy sign-ins for one username, from anywhere.
    LegacyAccount(&'a str),
    /// Wrong MFA codes for one account.
    MfaFailures(&'a str),
    /// Challenges opened for one account.
    Challenges(&'a str),
    /// Enrollments opened for one account.
    Enrollments(&'a str),
    /// Codes sent for one account.
    SendsAccount(&'a str),
    /// Codes sent to one destination (phone number or email address).
    SendsDestination(&'a str),
}

impl Budget<'_> {
    pub fn bucket(self, l: &Limits) -> Bucket {
        let (name, limit, window) = match self {
            Self::SignInAddress(a) => {
                (format!("signin:addr:{}", a.network()), l.signin_per_address, l.signin_window)
            }
            Self::Password(user) => {
                (format!("password:{user}"), l.signin_per_account, l.signin_window)
            }
            Self::LegacyAddress(a) => {
                (format!("legacy:addr:{}", a.network()), l.legacy_per_address, l.signin_window)
            }
            Self::LegacyClient(user, a) => (
                format!("legacy:client:{}:{user}", a.network()),
                l.legacy_per_client,
                l.signin_window,
            ),
            Self::LegacyAccount(user) => {
                (format!("legacy:acct:{user}"), l.legacy_per_account, l.signin_window)
            }
            Self::MfaFailures(id) => (format!("mfa:{id}"), l.mfa_failures, l.mfa_window),
            Self::Challenges(id) => (format!("challenge:{id}"), l.challenges_per_hour, HOUR),
            Self::Enrollments(id) => (format!("enroll:{id}"), l.enrollments_per_hour, HOUR),
            Self::SendsAccount(id) => (format!("send:acct:{id}"), l.sends_per_account, DAY),
            // The destination is personal data: the bucket is named by a digest of it.
            Self::SendsDestination(to) => (
                format!("send:dest:{}", &crypto::sha256_hex(to.as_bytes())[..32]),
                l.sends_per_destination,
                DAY,
            ),
        };
        Bucket { name, limit, window }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonsense_limits_are_refused_with_the_setting_named() {
        assert!(Limits::default().validate().is_ok());
        let zero = Limits { mfa_window: 0, ..Limits::default() };
        assert!(zero.validate().unwrap_err().to_string().contains("APP_MFA_WINDOW"));
        let negative = Limits { resend_cooldown: -1, ..Limits::default() };
        assert!(negative.validate().unwrap_err().to_string().contains("APP_RESEND_COOLDOWN"));
    }

    #[test]
    fn destinations_are_not_stored_in_bucket_names() {
        let b = Budget::SendsDestination("+33612345678").bucket(&Limits::default());
        assert!(!b.name.contains("33612345678"));
        assert_eq!((b.limit, b.window), (10, DAY));
    }
}
