use yew::prelude::*;

use super::code::code_form;
use super::ScreenProps;
use crate::components::card::Card;
use crate::components::qr::Qr;
use crate::components::secret::SecretBox;
use crate::i18n::{Lang, Msg};
use crate::screens::Intent;
use crate::state::Screen;

/// Set up an authenticator app: scan the QR code or type the key, then enter a code.
pub fn totp(props: &ScreenProps, lang: Lang) -> Html {
    let m = &props.model;
    let Screen::Totp(step) = &m.screen else { return html! {} };
    html! {
        <Card title={lang.t(Msg::TotpTitle)} step={m.step()} on_back={props.back()}>
            <p>{ lang.t(Msg::TotpScan) }</p>
            <Qr data={AttrValue::from(step.otpauth_uri.expose().to_owned())} label={lang.t(Msg::TotpQrLabel)} />
            <p id="ap-key-intro">{ lang.t(Msg::TotpManual) }</p>
            <SecretBox id="ap-key" label={lang.t(Msg::TotpKeyLabel)}
                text={AttrValue::from(step.secret.expose().to_owned())}
                copy={lang.t(Msg::TotpCopyKey)} copied={step.copied} on_copy={props.send(Intent::CopyKey)}
                fallback={lang.t(Msg::TotpCopyFallback)} fallback_label={lang.t(Msg::TotpCopyFallbackLabel)} />
            <p>{ lang.t(Msg::TotpEnterCode) }</p>
            { code_form(props, lang) }
        </Card>
    }
}
