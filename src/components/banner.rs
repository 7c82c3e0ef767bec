use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct BannerProps {
    /// `error`, `info` or `success`.
    pub kind: AttrValue,
    pub text: AttrValue,
}

/// A message above the form, announced to screen readers.
#[function_component(Banner)]
pub fn banner(props: &BannerProps) -> Html {
    let role = if props.kind == "error" { "alert" } else { "status" };
    html! {
        <div class={classes!("ap-banner", format!("ap-banner--{}", props.kind))} role={role}>
            { props.text.clone() }
        </div>
    }
}
