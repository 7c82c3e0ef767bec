use yew::prelude::*;

use super::code::code_form;
use super::ScreenProps;
use crate::components::card::Card;
use crate::components::qr::Qr;
use crate::components::secret::SecretBox;
use crate::i18n::{JourneyMsg, Lang};
use crate::screens::Intent;
use crate::state::Screen;

/// Set up an authenticator app: scan the QR code or type the key, then enter a code.
pub fn totp(props: &ScreenProps, lang: Lang) -> Html {
    let m = &props.model;
    let Screen::Totp(step) = &m.screen else { return html! {} };
    html! {
        <Card title={lang.j(JourneyMsg::TotpTitle)} step={m.step()} on_back={props.back()}>
            <p>{ lang.j(JourneyMsg::TotpScan) }</p>
            <Qr data={AttrValue::from(step.otpauth_uri.expose().to_owned())} label={lang.j(JourneyMsg::TotpQrLabel)} />
            <p id="ap-key-intro">{ lang.j(JourneyMsg::TotpManual) }</p>
            <SecretBox id="ap-key" label={lang.j(JourneyMsg::TotpKeyLabel)}
                text={AttrValue::from(step.secret.expose().to_owned())}
                copy={lang.j(JourneyMsg::TotpCopyKey)} copied={step.copied} on_copy={props.send(Intent::CopyKey)}
                fallback={lang.j(JourneyMsg::TotpCopyFallback)} fallback_label={lang.j(JourneyMsg::TotpCopyFallbackLabel)} />
            <p>{ lang.j(JourneyMsg::TotpEnterCode) }</p>
            { code_form(props, lang) }
        </Card>
    }
}
