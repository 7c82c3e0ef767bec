use yew::prelude::*;

use crate::components::steps::Steps;
use crate::i18n::{Lang, Msg};
use crate::state::SETUP_STEPS;

#[derive(Properties, PartialEq)]
pub struct CardProps {
    pub title: AttrValue,
    #[prop_or_default]
    pub lead: Option<AttrValue>,
    /// The setup step this screen is, if any.
    #[prop_or_default]
    pub step: Option<u8>,
    /// Shown as a "Back" button when set.
    #[prop_or_default]
    pub on_back: Option<Callback<()>>,
    /// What Back says, when "Back" alone would not (default: "Back").
    #[prop_or_default]
    pub back_label: Option<AttrValue>,
    /// Back stays but cannot be used (an app password is being created).
    #[prop_or_default]
    pub locked: bool,
    #[prop_or_default]
    pub children: Html,
}

/// The frame of every screen: step indicator, the heading that takes focus when the
/// screen appears, the lead paragraph, the content, and Back.
#[function_component(Card)]
pub fn card(props: &CardProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    html! {
        <section class="ap-card" aria-labelledby="ap-title">
            if let Some(step) = props.step {
                <Steps step={step} total={SETUP_STEPS} />
            }
            <h1 id="ap-title" tabindex="-1">{ props.title.clone() }</h1>
            if let Some(lead) = &props.lead {
                <p class="ap-lead">{ lead.clone() }</p>
            }
            { props.children.clone() }
            if let Some(back) = &props.on_back {
                <button type="button" class="ap-link ap-back" disabled={props.locked} onclick={back.reform(|_: MouseEvent| ())}>
                    { "← " }{ props.back_label.clone().unwrap_or_else(|| lang.text(Msg::Back).into()) }
                </button>
            }
        </section>
    }
}
