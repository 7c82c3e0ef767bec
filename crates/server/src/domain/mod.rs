//! The rules of the domain that need no database: validated names and addresses,
//! TOTP, what an account's policy allows. Parsed once at the edge; the store and the
//! handlers only see these types.

pub mod accounts;
pub mod app_passwords;
pub mod methods;

/// Characters no name shown to a person may hold: control characters, and the
/// bidirectional overrides and isolates that make text read differently from what it
/// is (a name shown in a notice email or an admin's list must not be able to disguise
/// itself, CVE-2021-42574 "Trojan Source").
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

#[cfg(test)]
mod tests {
    #[test]
    fn bidi_overrides_and_controls_are_unsafe_and_letters_are_not() {
        for c in ['\u{202E}', '\u{2066}', '\u{200F}', '\u{7}', '\n'] {
            assert!(super::is_unsafe_char(c), "{c:?}");
        }
        for c in ['a', 'é', 'ß', 'ش', ' ', '·'] {
            assert!(!super::is_unsafe_char(c), "{c:?}");
        }
    }
}
