use yew::html::IntoPropValue;
use yew::prelude::*;

use crate::components::steps::Steps;
use crate::i18n::{Lang, Msg};
use crate::state::SETUP_STEPS;

/// The frame of every screen: step indicator, the heading that takes focus when the
/// screen appears, the lead paragraph, the content, and Back.
///
/// A view function's arguments, not a component (built as `Card::new(title).lead(…)…
/// .view(lang, content)`): drawn in its screen's own render, and without a component
/// type's weight in the first module.
pub struct Card {
    title: AttrValue,
    lead: Option<AttrValue>,
    /// The setup step this screen is, if any.
    step: Option<u8>,
    /// Shown as a "Back" button when set.
    on_back: Option<Callback<()>>,
    /// What Back says, when "Back" alone would not (default: "Back").
    back_label: Option<AttrValue>,
    /// Back stays but cannot be used (an app password is being created).
    locked: bool,
}

impl Card {
    pub fn new(title: impl Into<AttrValue>) -> Self {
        Self {
            title: title.into(),
            lead: None,
            step: None,
            on_back: None,
            back_label: None,
            locked: false,
        }
    }

    pub fn lead(mut self, lead: impl IntoPropValue<Option<AttrValue>>) -> Self {
        self.lead = lead.into_prop_value();
        self
    }

    pub fn step(mut self, step: Option<u8>) -> Self {
        self.step = step;
        self
    }

    pub fn on_back(mut self, back: impl IntoPropValue<Option<Callback<()>>>) -> Self {
        self.on_back = back.into_prop_value();
        self
    }

    pub fn back_label(mut self, label: impl IntoPropValue<Option<AttrValue>>) -> Self {
        self.back_label = label.into_prop_value();
        self
    }

    pub fn locked(mut self, locked: bool) -> Self {
        self.locked = locked;
        self
    }

    /// The card around `content`.
    pub fn view(self, lang: Lang, content: Html) -> Html {
        html! {
            <section class="ap-card" aria-labelledby="ap-title">
                if let Some(step) = self.step {
                    <Steps step={step} total={SETUP_STEPS} />
                }
                <h1 id="ap-title" tabindex="-1">{ self.title }</h1>
                if let Some(lead) = self.lead {
                    <p class="ap-lead">{ lead }</p>
                }
                { content }
                if let Some(back) = self.on_back {
                    <button type="button" class="ap-link ap-back" disabled={self.locked} onclick={back.reform(|_: MouseEvent| ())}>
                        { "← " }{ self.back_label.unwrap_or_else(|| lang.text(Msg::Back).into()) }
                    </button>
                }
            </section>
        }
    }
}
