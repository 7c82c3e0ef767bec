//! What the app says in its polite live region, and in which words. Only "back online"
//! can happen before the screens after sign-in have come; the words of the others come
//! with those screens' chunk (lazy.rs), which makes them ([`Announcement::journey_text`]).

use crate::i18n::{JourneyMsg, Lang, Msg};

/// Something to say in the polite live region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Announcement {
    CodeSent(String),
    Copied,
    KeyCopied,
    Deleted(String),
    DeletedAll,
    BackOnline,
    /// Security info: a method removed, renamed, made the default (its name now).
    MethodRemoved(String),
    MethodRenamed(String),
    MethodPreferred(String),
}

impl Announcement {
    /// The words of an announcement the first module makes ("back online"); the others
    /// are made by the screens after sign-in, whose chunk has their words
    /// ([`Self::journey_text`]).
    pub fn text(&self, lang: Lang) -> String {
        match self {
            Self::BackOnline => lang.text(Msg::EndpointBack).to_owned(),
            _ => String::new(),
        }
    }

    /// The words of any announcement (in the chunk of the screens after sign-in).
    pub fn journey_text(&self, lang: Lang) -> String {
        match self {
            Self::CodeSent(dest) => lang.text_with(JourneyMsg::CodeAnnounce, &[("dest", dest)]),
            Self::Copied => lang.text(JourneyMsg::CopiedAnnounce).to_owned(),
            Self::KeyCopied => lang.text(JourneyMsg::Copied).to_owned(),
            Self::Deleted(name) => lang.text_with(JourneyMsg::Deleted, &[("name", name)]),
            Self::DeletedAll => lang.text(JourneyMsg::DeletedAll).to_owned(),
            Self::BackOnline => self.text(lang),
            Self::MethodRemoved(name) => {
                lang.text_with(JourneyMsg::SecurityRemoved, &[("name", name)])
            }
            Self::MethodRenamed(name) => {
                lang.text_with(JourneyMsg::SecurityRenamed, &[("name", name)])
            }
            Self::MethodPreferred(name) => {
                lang.text_with(JourneyMsg::SecurityPreferred, &[("name", name)])
            }
        }
    }
}
