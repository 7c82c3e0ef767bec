//! Messages in English and French. The texts live in `src/i18n/*.ftl` (a one-line-per-
//! message subset of Fluent); `src/i18n/build.rs` turns them into a compile-time table,
//! checking that every language has every key with the same placeholders. Looking a
//! message up is an array index; there is no parser or bundle in the wasm.

use std::fmt::Display;
use wire::MethodKind;

include!(concat!(env!("OUT_DIR"), "/messages.rs"));

/// A key of one of the message catalogues, each looked up in its own tables (so that
/// a bundle carries only the catalogues its code names).
pub trait Message: Copy {
    fn in_lang(self, lang: Lang) -> &'static str;
}

impl Message for Msg {
    fn in_lang(self, lang: Lang) -> &'static str {
        lang.pick((&EN, &FR), self as usize)
    }
}

impl Message for JourneyMsg {
    fn in_lang(self, lang: Lang) -> &'static str {
        lang.pick((&JOURNEY_EN, &JOURNEY_FR), self as usize)
    }
}

#[cfg(feature = "admin")]
impl Message for AdminMsg {
    fn in_lang(self, lang: Lang) -> &'static str {
        lang.pick((&ADMIN_EN, &ADMIN_FR), self as usize)
    }
}

/// A language the app speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Fr,
}

impl Lang {
    /// Text `i` of a message set, given as its (English, French) tables.
    fn pick<const N: usize>(
        self,
        (en, fr): (&[&'static str; N], &[&'static str; N]),
        i: usize,
    ) -> &'static str {
        match self {
            Self::En => en[i],
            Self::Fr => fr[i],
        }
    }

    /// The message `msg` in this language: one of every screen's (`Msg`), of the
    /// screens after sign-in (`JourneyMsg`, their chunk has these, lazy.rs) or of the
    /// admin mode (`AdminMsg`, only its bundle has these).
    pub fn text(self, msg: impl Message) -> &'static str {
        msg.in_lang(self)
    }

    /// The message `msg` with its `{ $name }` placeholders filled in.
    pub fn text_with(self, msg: impl Message, args: &[(&str, &dyn Display)]) -> String {
        fill(self.text(msg), args)
    }

    /// The BCP 47 tag, for `lang` attributes and `Intl`.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Fr => "fr",
        }
    }

    /// The other language, for the switch.
    pub fn other(self) -> Self {
        match self {
            Self::En => Self::Fr,
            Self::Fr => Self::En,
        }
    }

    /// The language of a BCP 47 tag such as `fr-CA`, if the app speaks it.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Self::En),
            "fr" => Some(Self::Fr),
            _ => None,
        }
    }

    /// The first of the browser's preferred languages that the app speaks, else English.
    /// (src/embed/stand-in.js applies the same rule to the sign-in screen drawn at build
    /// time, crates/prerender: change both together.)
    pub fn from_browser() -> Self {
        let Some(nav) = web_sys::window().map(|w| w.navigator()) else { return Self::En };
        nav.languages()
            .iter()
            .filter_map(|v| v.as_string())
            .chain(nav.language())
            .find_map(|tag| Self::from_tag(&tag))
            .unwrap_or_default()
    }

    /// An RFC 3339 timestamp as a date and time the reader expects, through the
    /// browser's `Intl` (no locale data in the bundle). Falls back to the raw text.
    pub fn datetime(self, rfc3339: &str) -> String {
        let date = js_sys::Date::new(&rfc3339.into());
        if date.get_time().is_nan() {
            return rfc3339.to_owned();
        }
        let options = js_sys::Object::new();
        for (k, v) in [("dateStyle", "medium"), ("timeStyle", "short")] {
            let _ = js_sys::Reflect::set(&options, &k.into(), &v.into());
        }
        date.to_locale_string(self.tag(), &options).into()
    }

    /// A wait of `seconds`, as "45 s" or "3 min".
    pub fn wait(self, seconds: u32) -> String {
        if seconds < 90 {
            self.text_with(Msg::WaitSeconds, &[("n", &seconds)])
        } else {
            self.text_with(Msg::WaitMinutes, &[("n", &seconds.div_ceil(60))])
        }
    }
}

/// `text` with its `{ $name }` placeholders filled in (a placeholder not among `args`
/// stays as written).
fn fill(text: &str, args: &[(&str, &dyn Display)]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("{ $") {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let arg = rest[3..].find(" }").and_then(|end| {
            let name = &rest[3..3 + end];
            args.iter().find(|(n, _)| *n == name).map(|(_, value)| (end + 5, value))
        });
        match arg {
            Some((len, value)) => {
                let _ = write!(out, "{value}");
                rest = &rest[len..];
            }
            None => {
                out.push_str("{ $");
                rest = &rest[3..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The label the endpoint gives an authenticator app until the person names it.
pub const TOTP_LABEL: &str = "Authenticator app";

/// The name and one-line hint of a method kind.
pub fn kind_texts(kind: MethodKind) -> (JourneyMsg, JourneyMsg) {
    match kind {
        MethodKind::Totp => (JourneyMsg::KindTotp, JourneyMsg::KindTotpHint),
        MethodKind::Sms => (JourneyMsg::KindSms, JourneyMsg::KindSmsHint),
        MethodKind::Voice => (JourneyMsg::KindVoice, JourneyMsg::KindVoiceHint),
        MethodKind::Email => (JourneyMsg::KindEmail, JourneyMsg::KindEmailHint),
        MethodKind::Passkey => (JourneyMsg::KindPasskey, JourneyMsg::KindPasskeyHint),
    }
}

/// How a registered method reads: "Text message · +33 ••• •• 78"; an authenticator app
/// not renamed has nothing to add to its localized name (the endpoint's default label,
/// [`TOTP_LABEL`], is not localized); a security key, or an app the person named, is
/// the name they gave it.
pub fn method_label(method: &wire::Method, lang: Lang) -> String {
    let (name, _) = kind_texts(method.kind);
    match method.kind {
        MethodKind::Totp if method.label == TOTP_LABEL => lang.text(name).to_owned(),
        MethodKind::Totp | MethodKind::Passkey => method.label.clone(),
        _ => format!("{} · {}", lang.text(name), method.label),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_once_each_and_unknown_ones_left_as_written() {
        let filled = fill("{ $a } and { $b }, { $a }; { $c } { $", &[("a", &1), ("b", &"two")]);
        assert_eq!(filled, "1 and two, 1; { $c } { $");
        assert_eq!(fill("no placeholder", &[("a", &1)]), "no placeholder");
        assert_eq!(fill("«\u{202f}{ $name }\u{202f}»", &[("name", &"é")]), "«\u{202f}é\u{202f}»");
    }

    /// French typography: a non-breaking space (narrow before ; ? !) where a line must
    /// not break, never a plain one: before ; : ? ! and inside « ».
    #[test]
    fn french_punctuation_is_held_by_non_breaking_spaces() {
        for text in FR.iter().chain(JOURNEY_FR.iter()) {
            for bad in [" ;", " :", " ?", " !", "« ", " »"] {
                assert!(!text.contains(bad), "{bad:?} with a breaking space in {text:?}");
            }
        }
    }

    #[test]
    fn french_speaks_to_everyone_alike() {
        // No masculine-only forms about the person ("connecté", "déconnecté").
        for text in FR.iter().chain(JOURNEY_FR.iter()) {
            for gendered in ["onnecté ", "onnecté.", "êtes sûr"] {
                assert!(!text.contains(gendered), "{gendered:?} in {text:?}");
            }
        }
    }
}
