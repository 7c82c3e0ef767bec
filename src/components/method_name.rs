//! A registered method's name as lists show it, with its "Default" badge when it is
//! the one offered first (the person's Security info, the helpdesk view).

use yew::prelude::*;

/// `label`, badged `default` (the badge's words) when given.
pub fn method_name(label: &str, default: Option<&str>) -> Html {
    html! {
        <span class="ap-item__name">
            { label.to_owned() }
            if let Some(default) = default {
                { " " }<span class="ap-badge">{ default.to_owned() }</span>
            }
        </span>
    }
}
