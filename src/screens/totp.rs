use yew::prelude::*;

use super::code::code_form;
use super::ScreenProps;
use crate::app::Intent;
use crate::components::card::Card;
use crate::components::qr::Qr;
use crate::i18n::{Lang, Msg};
use crate::state::Screen;

/// `ABCD EFGH IJKL …`: a key in groups of four, for reading and typing.
pub fn groups_of_four(text: &str) -> String {
    let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

/// Set up an authenticator app: scan the QR code or type the key, then enter a code.
pub fn totp(props: &ScreenProps, lang: Lang) -> Html {
    let m = &props.model;
    let Screen::Totp(step) = &m.screen else { return html! {} };
    html! {
        <Card title={lang.t(Msg::TotpTitle)} step={m.step()} on_back={props.back()}>
            <p>{ lang.t(Msg::TotpScan) }</p>
            <Qr data={AttrValue::from(step.otpauth_uri.expose().to_owned())} label={lang.t(Msg::TotpQrLabel)} />
            <p id="ap-key-intro">{ lang.t(Msg::TotpManual) }</p>
            <div class="ap-secret ap-secret--key">
                <code id="ap-key" class="ap-secret__text" aria-label={lang.t(Msg::TotpKeyLabel)}>
                    { groups_of_four(step.secret.expose()) }
                </code>
                <button type="button" class="ap-button ap-button--secondary" onclick={props.send(Intent::CopyKey)}
                    aria-describedby="ap-key">
                    { lang.t(Msg::TotpCopyKey) }
                </button>
            </div>
            <p>{ lang.t(Msg::TotpEnterCode) }</p>
            { code_form(props, lang) }
        </Card>
    }
}
