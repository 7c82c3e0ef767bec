//! Every limit of the endpoint, named, with its default, its setting and what it means,
//! written once in [`every_limit!`]; and [`Budget`], which says which counter each
//! limit applies to. The store enforces them (`store::throttle`); handlers only name
//! the budget they spend. `config.rs` makes the same table into flags and environment
//! variables, so a default is written nowhere else.

use super::client::ClientAddr;
use crate::crypto;

/// The table of limits: `field: type = default, min least, "ENVIRONMENT_VARIABLE";`,
/// each with its documentation. Hands the table to `$make`, a macro that builds something from it
/// (here the plain [`Limits`]; in `config.rs`, its flags).
#[macro_export]
macro_rules! every_limit {
    ($make:ident) => {
        $crate::$make! {
            /// Wrong primary passwords per account within the window (web and legacy sign-in
            /// share it); counted before the hash is computed. The web sign-in from a network
            /// the person signed in from in the last 30 days has a budget of this size of its
            /// own (smart lockout, docs/security.md).
            signin_per_account: i64 = 5, min 1, "APP_SIGNIN_ACCOUNT_LIMIT";
            /// Web sign-in attempts per client address (IPv6: per /64) within the window.
            signin_per_address: i64 = 30, min 1, "APP_SIGNIN_ADDRESS_LIMIT";
            /// Window of the sign-in and legacy limits, in seconds.
            signin_window: i64 = 300, min 1, "APP_SIGNIN_WINDOW";
            /// Failed legacy sign-ins (wrong or revoked app passwords) per account from one
            /// end-client address within the window: a mail client retrying a revoked app
            /// password blocks itself, not its owner's other clients nor the web sign-in.
            legacy_per_client: i64 = 20, min 1, "APP_LEGACY_CLIENT_LIMIT";
            /// Failed legacy sign-ins per account from all addresses within the window.
            legacy_per_account: i64 = 100, min 1, "APP_LEGACY_ACCOUNT_LIMIT";
            /// Failed legacy sign-ins per end-client address within the window.
            legacy_per_address: i64 = 60, min 1, "APP_LEGACY_ADDRESS_LIMIT";
            /// Session idle timeout in seconds.
            session_idle: i64 = 15 * 60, min 1, "APP_SESSION_IDLE";
            /// Session absolute lifetime in seconds.
            session_max: i64 = 8 * 3600, min 1, "APP_SESSION_MAX";
            /// How long an MFA proof counts for app-password changes (step-up), in seconds.
            step_up: i64 = 10 * 60, min 1, "APP_STEP_UP";
            /// App passwords per account.
            app_passwords: i64 = 40, min 1, "APP_PASSWORD_LIMIT";
            /// Lifetime of a sent code in seconds.
            code_ttl: i64 = 600, min 1, "APP_CODE_TTL";
            /// How long an enrollment or challenge stays open, in seconds.
            proof_ttl: i64 = 900, min 1, "APP_PROOF_TTL";
            /// Wrong tries allowed per enrollment or challenge.
            code_attempts: i64 = 5, min 1, "APP_CODE_ATTEMPTS";
            /// Wrong MFA codes per account within `mfa_window`, whatever the session,
            /// challenge or enrollment (NIST SP 800-63B §5.2.2).
            mfa_failures: i64 = 10, min 1, "APP_MFA_FAILURE_LIMIT";
            /// Window of the MFA failure budget, in seconds.
            mfa_window: i64 = 15 * 60, min 1, "APP_MFA_WINDOW";
            /// Consecutive wrong MFA codes after which MFA locks until an admin unlocks it.
            mfa_lockout: i64 = 100, min 1, "APP_MFA_LOCKOUT";
            /// Challenges opened per account per hour.
            challenges_per_hour: i64 = 20, min 1, "APP_CHALLENGE_LIMIT";
            /// Enrollments opened per account per hour.
            enrollments_per_hour: i64 = 10, min 1, "APP_ENROLLMENT_LIMIT";
            /// Seconds before another code may be sent for the same enrollment or challenge
            /// (0: at once).
            resend_cooldown: i64 = 30, min 0, "APP_RESEND_COOLDOWN";
            /// Codes sent (text, call, email) per account per day.
            sends_per_account: i64 = 20, min 1, "APP_SENDS_PER_ACCOUNT";
            /// Codes sent to one phone number or email address per day (toll fraud, bombing).
            sends_per_destination: i64 = 10, min 1, "APP_SENDS_PER_DESTINATION";
            /// Password hashes (Argon2id, 19 MiB each) computed at once; 0 = one per core.
            hash_concurrency: usize = 0, min 0, "APP_HASH_CONCURRENCY";
            /// How long a sign-in waits for a hashing slot before answering 503, in ms.
            hash_queue_ms: u64 = 1000, min 0, "APP_HASH_QUEUE_MS";
            /// Database connections each process (replica) opens at most.
            db_pool_size: u32 = 8, min 1, "APP_DB_POOL_SIZE";
            /// How long an answer to a create request can be replayed with its
            /// Idempotency-Key, in seconds (it may hold a new app password, sealed).
            idempotency_ttl: i64 = 10 * 60, min 1, "APP_IDEMPOTENCY_TTL";
            /// How old, in seconds, what the directory said of a person may be for their
            /// app passwords to pass (it is read again three times as often); older, the
            /// legacy door answers a temporary failure.
            directory_status_max_age: i64 = 30, min 3, "APP_DIRECTORY_STATUS_MAX_AGE";
        }
    };
}

/// Builds [`Limits`], its `Default` and the settings' names from the table.
#[macro_export]
#[doc(hidden)]
macro_rules! plain_limits {
    ($( $(#[doc = $doc:literal])* $field:ident : $ty:ty = $default:expr, min $min:literal, $env:literal; )*) => {
        /// Throttling, expiry and quota settings (defaults, flags and variables:
        /// [`every_limit!`]).
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct Limits {
            $( $(#[doc = $doc])* pub $field: $ty, )*
        }

        impl Limits {
            /// Every limit at its default.
            pub const DEFAULT: Self = Self { $( $field: $default, )* };

            /// Each limit's setting, in the table's order (for the documentation).
            pub const SETTINGS: &'static [LimitSetting] = &[ $(
                LimitSetting {
                    field: stringify!($field),
                    env: $env,
                    default: $default as i128,
                    min: $min,
                    doc: concat!($($doc, "\n",)*),
                },
            )* ];

            /// Refuses settings the server cannot honour (a zero window, a negative
            /// limit), naming the setting.
            pub fn validate(&self) -> anyhow::Result<()> {
                $(
                    let value = i128::try_from(self.$field).unwrap_or(i128::MAX);
                    anyhow::ensure!(
                        value >= $min,
                        "{} must be at least {} (it is {value})", $env, $min
                    );
                )*
                Ok(())
            }
        }
    };
}

/// One limit as the documentation lists it.
#[derive(Debug, Clone, Copy)]
pub struct LimitSetting {
    /// The field, and so the flag (`--signin-per-account`).
    pub field: &'static str,
    pub env: &'static str,
    pub default: i128,
    /// The least value the server accepts.
    pub min: i128,
    /// What it means (its documentation, one line each).
    pub doc: &'static str,
}

every_limit!(plain_limits);

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl Limits {
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

/// How long a network stays familiar after a sign-in with the password from it (smart
/// lockout, `store::familiar`): a month, as a person's office and home are.
pub const FAMILIAR_FOR: i64 = 30 * DAY;

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
    /// Wrong primary passwords for one username (web and legacy), from anywhere but a
    /// network the person signed in from lately.
    Password(&'a str),
    /// Wrong primary passwords for one username at the web sign-in from a network the
    /// person signed in from lately (smart lockout: a spray from elsewhere does not
    /// spend it). As large as [`Self::Password`].
    FamiliarPassword(&'a str),
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
            Self::FamiliarPassword(user) => {
                (format!("password:familiar:{user}"), l.signin_per_account, l.signin_window)
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
