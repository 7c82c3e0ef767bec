use yew::prelude::*;

use crate::i18n::{Lang, Msg};

#[derive(Properties, PartialEq)]
pub struct StepsProps {
    pub step: u8,
    pub total: u8,
}

/// "Step 2 of 4", with a bar a sighted person takes in at a glance.
#[function_component(Steps)]
pub fn steps(props: &StepsProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let label = lang.text_with(Msg::StepOf, &[("step", &props.step), ("total", &props.total)]);
    html! {
        <div class="ap-steps">
            <p class="ap-steps__label">{ label }</p>
            <ol class="ap-steps__bar" aria-hidden="true">
                { for (1..=props.total).map(|n| html! {
                    <li class={classes!("ap-steps__dot", (n <= props.step).then_some("ap-steps__dot--done"))} />
                }) }
            </ol>
        </div>
    }
}
