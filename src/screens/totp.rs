use yew::prelude::*;

use super::code::code_form;
use super::ScreenProps;
use crate::components::card::Card;
use crate::components::qr::Qr;
use crate::components::secret::SecretBox;
use crate::i18n::{JourneyMsg, Lang};
use crate::intent::Intent;
use crate::state::Screen;

/// Set up an authenticator app: scan the QR code or type the key, then enter a code.
pub fn totp(props: &ScreenProps, lang: Lang) -> Html {
    let m = &props.model;
    let Screen::Totp(step) = &m.screen else { return html! {} };
    html! {
        { Card::new(lang.text(JourneyMsg::TotpTitle)).step(m.step()).on_back(props.back()).view(lang, html! { <>
            <p>{ lang.text(JourneyMsg::TotpScan) }</p>
            <Qr data={AttrValue::from(step.otpauth_uri.expose().to_owned())} label={lang.text(JourneyMsg::TotpQrLabel)} />
            <p id="ap-key-intro">{ lang.text(JourneyMsg::TotpManual) }</p>
            <SecretBox id="ap-key" label={lang.text(JourneyMsg::TotpKeyLabel)}
                text={AttrValue::from(step.secret.expose().to_owned())}
                copy={lang.text(JourneyMsg::TotpCopyKey)} copied={step.copied} on_copy={props.send(Intent::CopyKey)}
                fallback={lang.text(JourneyMsg::TotpCopyFallback)} fallback_label={lang.text(JourneyMsg::TotpCopyFallbackLabel)} />
            <p>{ lang.text(JourneyMsg::TotpEnterCode) }</p>
            { code_form(props, lang) }
        </> }) }
    }
}
