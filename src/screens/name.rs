use yew::prelude::*;

use super::ScreenProps;
use crate::components::banner::{field_error, form_end};
use crate::components::card::Card;
use crate::components::field::Field;
use crate::errors::Field as F;
use crate::i18n::{Lang, Msg};
use crate::screens::Intent;

/// An optional name for the app password, then "Create".
pub fn name(props: &ScreenProps, lang: Lang) -> Html {
    let m = &props.model;
    let error = m.error.as_ref();
    html! {
        <Card title={lang.t(Msg::NameTitle)} lead={lang.t(Msg::NameLead)} step={m.step()} on_back={props.back()} locked={m.creating()}>
            <form onsubmit={props.submit(Intent::Create)} novalidate=true>
                <Field id="ap-name" label={lang.t(Msg::NameLabel)} hint={lang.t(Msg::NameHint)}
                    autocomplete="off" maxlength={64}
                    value={m.drafts.name.clone()} oninput={props.edit(F::Name)}
                    error={field_error(error, F::Name, lang)} />
                { form_end(error, lang, Msg::Create, m.busy(), false) }
            </form>
        </Card>
    }
}
