//! What the endpoint accepts in each text field, written twice side by side: as the
//! function both the app and the server call, and as the JSON Schema `pattern` and
//! lengths the OpenAPI document publishes (so another implementation, or a fuzzer,
//! knows exactly what is valid). A test checks on many thousands of strings that the
//! two agree.
//!
//! Patterns name characters by code point (`\uXXXX`), never `\s` or `\d`, which mean
//! different things in ECMAScript, Python and Rust. Lengths count Unicode code points,
//! as JSON Schema's `maxLength` does.

/// Control characters (Unicode Cc) and the bidirectional marks, overrides and isolates
/// that make text read differently from what it is (CVE-2021-42574, "Trojan Source").
macro_rules! unsafe_chars {
    () => {
        r"\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069"
    };
}

/// Unicode White_Space: what Rust's `char::is_whitespace` and `str::trim` use.
macro_rules! blank_chars {
    () => {
        r"\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"
    };
}

/// Separators people type inside phone numbers.
macro_rules! phone_separators {
    () => {
        r"\u0020\-.()\u00A0"
    };
}

/// Whether `c` may not appear in a name shown to people.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// App-password names: 1 to 64 characters, no control or bidi character, not blank;
/// stored without the blanks around them.
pub const NAME_MAX: usize = 64;
pub const NAME_PATTERN: &str = concat!(
    "^[^",
    unsafe_chars!(),
    "]*[^",
    unsafe_chars!(),
    blank_chars!(),
    "][^",
    unsafe_chars!(),
    "]*$"
);

/// The name as stored, or why it is refused (`required`, `too_long`,
/// `invalid_characters`: the `code` of the field error).
pub fn app_password_name(raw: &str) -> Result<&str, &'static str> {
    if chars(raw) > NAME_MAX {
        Err("too_long")
    } else if raw.chars().any(is_unsafe_char) {
        Err("invalid_characters")
    } else if raw.trim().is_empty() {
        Err("required")
    } else {
        Ok(raw.trim())
    }
}

/// Usernames: at most 254 characters, blanks allowed only around, no control or bidi
/// character; matched case-insensitively (stored lower-cased).
pub const USERNAME_MAX: usize = 254;
pub const USERNAME_PATTERN: &str = concat!(
    "^[",
    blank_chars!(),
    "]*[^",
    unsafe_chars!(),
    blank_chars!(),
    "]+[",
    blank_chars!(),
    "]*$"
);

/// The username as looked up (trimmed, lower-cased), or `None`.
pub fn username(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    let ok = chars(raw) <= USERNAME_MAX
        && !trimmed.is_empty()
        && !trimmed.chars().any(|c| c.is_whitespace() || is_unsafe_char(c));
    ok.then(|| trimmed.to_lowercase())
}

/// Primary passwords: 1 to 1024 characters, anything else goes.
pub const PASSWORD_MAX: usize = 1024;

/// Whether a typed primary password can be checked at all (`Err` names the field code).
pub fn password(raw: &str) -> Result<(), &'static str> {
    match chars(raw) {
        0 => Err("required"),
        n if n > PASSWORD_MAX => Err("too_long"),
        _ => Ok(()),
    }
}

/// New primary passwords: 8 to 256 characters (NIST SP 800-63B: at least 8, at least
/// 64 accepted, no composition rules). The server also refuses easy guesses. (Both
/// passwords of a change, escaped in JSON at 12 bytes a character, stay well inside the
/// 16 KiB body limit.)
pub const NEW_PASSWORD_MIN: usize = 8;
pub const NEW_PASSWORD_MAX: usize = 256;

/// Whether a new primary password is long enough and not too long (`Err`: the code).
pub fn new_password(raw: &str) -> Result<(), &'static str> {
    match chars(raw) {
        n if n < NEW_PASSWORD_MIN => Err("too_short"),
        n if n > NEW_PASSWORD_MAX => Err("too_long"),
        _ => Ok(()),
    }
}

/// Phone numbers: international (E.164): `+`, then 8 to 15 digits, the first not 0;
/// spaces, dots, dashes and brackets people type are allowed anywhere; at most 32
/// characters in all.
pub const PHONE_MAX: usize = 32;
pub const PHONE_PATTERN: &str = concat!(
    "^[",
    phone_separators!(),
    "]*\\+[",
    phone_separators!(),
    "]*[1-9]([",
    phone_separators!(),
    "]*[0-9]){7,14}[",
    phone_separators!(),
    "]*$"
);

/// The number in E.164 (`+33612345678`), or `None`. Shared so the app refuses exactly
/// what the server would, before a round trip.
pub fn phone(raw: &str) -> Option<String> {
    if chars(raw) > PHONE_MAX {
        return None;
    }
    let s: String =
        raw.chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{a0}')).collect();
    let digits = s.strip_prefix('+')?;
    let ok = (8..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    ok.then_some(s)
}

/// Email addresses for codes: `local@domain`, the local part dot-separated runs of the
/// characters RFC 5322 allows unquoted, the domain two or more dot-separated labels of
/// letters, digits and inner hyphens (at most 63 each); blanks around are dropped; at
/// most 254 characters in all.
pub const EMAIL_MAX: usize = 254;
pub const EMAIL_PATTERN: &str = concat!(
    "^[",
    blank_chars!(),
    "]*[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*",
    "@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+[",
    blank_chars!(),
    "]*$"
);

fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c)
}

fn is_label(label: &str) -> bool {
    (1..=63).contains(&label.len())
        && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !label.starts_with('-')
        && !label.ends_with('-')
}

/// The address as stored (trimmed), or `None`.
pub fn email(raw: &str) -> Option<String> {
    if chars(raw) > EMAIL_MAX {
        return None;
    }
    let s = raw.trim();
    let (local, domain) = s.split_once('@')?;
    let local_ok = local.split('.').all(|run| !run.is_empty() && run.chars().all(is_atext));
    let labels: Vec<&str> = domain.split('.').collect();
    (local_ok && labels.len() >= 2 && labels.iter().all(|l| is_label(l))).then(|| s.to_owned())
}

/// One-time codes (sent or from an authenticator app): six digits, with blanks and
/// dashes allowed anywhere as people paste them; at most 32 characters in all.
pub const CODE_MAX: usize = 32;
pub const CODE_PATTERN: &str =
    concat!("^[", blank_chars!(), "\\-]*([0-9][", blank_chars!(), "\\-]*){6}$");

/// The six digits, or `None` when the text cannot be a code (a validation error, not a
/// wrong code: it costs no attempt).
pub fn code(raw: &str) -> Option<String> {
    if chars(raw) > CODE_MAX {
        return None;
    }
    let digits: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    (digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// `Idempotency-Key` values: printable ASCII (spaces inside only), any length.
pub const IDEMPOTENCY_KEY_PATTERN: &str = r"^[\u0020-\u007E]*[\u0021-\u007E][\u0020-\u007E]*$";

/// Whether a header value is a usable `Idempotency-Key`.
pub fn idempotency_key(raw: &str) -> bool {
    raw.chars().all(|c| (' '..='~').contains(&c)) && !raw.trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_bounded_and_refuse_controls_and_bidi_overrides() {
        assert_eq!(app_password_name("  Outlook on my laptop "), Ok("Outlook on my laptop"));
        assert_eq!(app_password_name("   "), Err("required"));
        assert_eq!(app_password_name(""), Err("required"));
        assert_eq!(app_password_name(&"x".repeat(65)), Err("too_long"));
        assert!(app_password_name(&"é".repeat(64)).is_ok());
        assert_eq!(app_password_name("a\u{7}b"), Err("invalid_characters"));
        assert_eq!(app_password_name("Outlook\u{202E}gnp.exe"), Err("invalid_characters"));
    }

    #[test]
    fn usernames_are_trimmed_lowercased_and_refuse_spaces_and_bidi_overrides() {
        assert_eq!(
            username("  New.User@Contoso.Example ").as_deref(),
            Some("new.user@contoso.example")
        );
        assert_eq!(username("two words"), None);
        assert_eq!(username("   "), None);
        assert_eq!(username("admin\u{202E}moc.lausu@x.example"), None);
    }

    #[test]
    fn phone_numbers_are_normalized_to_e164_or_refused() {
        assert_eq!(phone("+33 6 12 34 56 78").as_deref(), Some("+33612345678"));
        assert_eq!(phone("+1 (425) 555-0100").as_deref(), Some("+14255550100"));
        for bad in [
            "06 12 34 56 78",
            "+0612345678",
            "+33 6 12",
            "+33 6 12 34 56 7a",
            "",
            "+33 6 12 34 56 78 9 0 1 2 3 4 5",
        ] {
            assert_eq!(phone(bad), None, "{bad}");
        }
    }

    #[test]
    fn email_addresses_are_checked() {
        assert_eq!(email(" name@example.com ").as_deref(), Some("name@example.com"));
        assert!(email("first.last+tag@mail.example-domain.org").is_some());
        for bad in [
            "name",
            "name@",
            "@example.com",
            "name@example",
            "a b@example.com",
            "a..b@x.example",
            ".a@x.example",
            "a@-x.example",
            "a@x..example",
        ] {
            assert_eq!(email(bad), None, "{bad}");
        }
    }
}

/// The functions and the published patterns agree, on random strings built from the
/// characters where they could disagree, near and past every length limit.
#[cfg(test)]
mod agreement {
    use super::*;

    const ALPHABET: &[char] = &[
        'a', 'Z', 'q', '0', '1', '9', '@', '.', '-', '+', '(', ')', '_', '!', '`', '{', '~', '#',
        ' ', '\t', '\n', '\u{0B}', '\u{85}', '\u{A0}', '\u{1680}', '\u{2003}', '\u{2028}',
        '\u{3000}', '\u{FEFF}', '\u{200B}', '\u{7}', '\u{7F}', '\u{9F}', '\u{202E}', '\u{2067}',
        '\u{61C}', '\u{200F}', 'é', 'ß', 'İ', '€', '٣', '１', '"', '\\', ',', ':', ';', '<', '[',
    ];

    /// xorshift: reproducible, no dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }

        fn from(&mut self, set: &[char], len: usize) -> String {
            (0..len).map(|_| set[self.next(set.len())]).collect()
        }

        /// Mostly-valid values of a shape, then mutated a little.
        fn shaped(&mut self, parts: &[&[char]], max: usize) -> String {
            let mut s = String::new();
            for part in parts {
                let len = self.next(max) + 1;
                s.push_str(&self.from(part, len));
            }
            let mut chars: Vec<char> = s.chars().collect();
            for _ in 0..self.next(3) {
                if !chars.is_empty() {
                    let at = self.next(chars.len());
                    chars[at] = ALPHABET[self.next(ALPHABET.len())];
                }
            }
            chars.into_iter().collect()
        }
    }

    fn check(pattern: &str, max: usize, accepts: impl Fn(&str) -> bool, samples: &[String]) {
        let re = regex::Regex::new(pattern).unwrap();
        for s in samples {
            let by_schema = re.is_match(s) && s.chars().count() <= max;
            assert_eq!(accepts(s), by_schema, "{pattern} disagrees on {s:?}");
        }
    }

    #[test]
    fn functions_and_patterns_accept_the_same_strings() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let letters: Vec<char> = ('a'..='z').chain('0'..='9').collect();
        let digits: Vec<char> = ('0'..='9').chain([' ', '-', '.', '(', ')']).collect();
        let atext: Vec<char> = ('a'..='z').chain(['.', '+', '_', '-', '!']).collect();
        let mut samples: Vec<String> = Vec::new();
        for _ in 0..20_000 {
            let len = rng.next(70);
            samples.push(rng.from(ALPHABET, len));
        }
        for _ in 0..5_000 {
            samples.push(rng.shaped(&[&[' '], &letters, &[' ']], 70));
            let (first, len) = (1 + rng.next(9), 7 + rng.next(12));
            let number = format!("+{first}{}", rng.from(&digits, len));
            samples.push(number.clone());
            samples.push(rng.shaped(&[&[' ']], 1) + &number);
            let (a, b, c, d) = (1 + rng.next(8), 1 + rng.next(8), 1 + rng.next(8), 1 + rng.next(4));
            let email = format!(
                "{}.{}@{}.{}",
                rng.from(&atext[..26], a),
                rng.from(&atext, b),
                rng.from(&letters, c),
                rng.from(&letters, d)
            );
            samples.push(email.clone());
            samples.push(rng.shaped(&[&[' ']], 1) + &email);
            let len = 6 + rng.next(6);
            samples.push(rng.from(&['0', '1', '7', '9', ' ', '-'], len));
        }
        for len in [63, 64, 65, 253, 254, 255, 31, 32, 33] {
            samples.push("a".repeat(len));
            samples.push(format!(" {}", "b".repeat(len)));
            samples.push(format!("{}@example.com", "c".repeat(len.saturating_sub(12))));
            samples.push(format!("+33{}", "6".repeat(len.saturating_sub(3))));
        }
        let hits = |f: &dyn Fn(&str) -> bool| samples.iter().filter(|s| f(s)).count();
        check(NAME_PATTERN, NAME_MAX, |s| app_password_name(s).is_ok(), &samples);
        check(USERNAME_PATTERN, USERNAME_MAX, |s| username(s).is_some(), &samples);
        check(PHONE_PATTERN, PHONE_MAX, |s| phone(s).is_some(), &samples);
        check(EMAIL_PATTERN, EMAIL_MAX, |s| email(s).is_some(), &samples);
        check(IDEMPOTENCY_KEY_PATTERN, usize::MAX, idempotency_key, &samples);
        check(CODE_PATTERN, CODE_MAX, |s| code(s).is_some(), &samples);
        // The generators reach both sides of every rule.
        for (rule, f) in [
            ("phone", &(|s: &str| phone(s).is_some()) as &dyn Fn(&str) -> bool),
            ("email", &|s: &str| email(s).is_some()),
            ("username", &|s: &str| username(s).is_some()),
        ] {
            let n = hits(f);
            assert!(
                n > 500 && n < samples.len() - 500,
                "{rule}: {n} of {} accepted",
                samples.len()
            );
        }
    }
}
