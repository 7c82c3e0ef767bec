//! Draws the sign-in screen at build time (`make build`), for the built `index.html` and
//! for the embedding element: the page shows the form as soon as its HTML and stylesheet
//! have come, the element as soon as its script has, and the person can type while the
//! wasm is still on its way.
//!
//! The markup is the app's own: `App` drawn by Yew's server-side renderer, natively, once
//! in each language the app speaks. Its buttons are drawn disabled: nothing that looks
//! as if it acted when it cannot (the language switch is the app's), and no press before
//! src/embed/stand-in.js has started keeping them — it then enables Sign in, keeps a press
//! on it (or Enter, or a password manager's `requestSubmit()`) until the app has come,
//! which signs in, and meanwhile says on the button what the app's says while it works
//! (`data-working`, the app's own words). Its form, like every form of the app, is
//! `method="dialog"`, so the browser itself sends nothing, even for `form.submit()` from
//! another hand.
//!
//! The page gets both languages before the app's root; the element, a JSON object of
//! them (`{"en": "<div lang=\"en\" …", "fr": …}`) that scripts/dist.sh bundles into it.
//! src/embed/stand-in.js then shows the one the app will speak (its rule), none on a
//! notice's link, and once the app has drawn its own form beside it (hidden by the
//! stylesheet meanwhile), gives it what was typed, the focus and the caret, and removes
//! this one — in the same task: no key falls between the two forms, no frame shows both.
//!
//!     app-passwords-prerender dist/index.html target/embed/sign-in.json

use std::process::ExitCode;

use app_passwords::app::{App, AppProps};
use app_passwords::i18n::{Lang, Msg};

/// The app's root element (which Yew empties when it mounts): the prerendered screens go
/// just before it, in a page of their own.
const PAGE_ROOT: &str = r#"<div id="app" class="ap-page" data-app-passwords-page>"#;
/// Marks that page: styles/app.css hides the app's root while it is there, stand-in.js
/// keeps one language in it and removes it once the app has taken over.
const PRERENDERED: &str = r#"<div class="ap-page" data-prerendered>"#;
const SUBMIT: &str = r#"<button type="submit" class="ap-button ap-button--primary">"#;
/// The app's live region, as it draws it.
const STATUS: &str =
    r#"<div role="status" aria-live="polite" aria-atomic="true" class="ap-visually-hidden"></div>"#;
/// Where the app draws its banners (after its header), and so this one.
const HEADER_END: &str = "</header>";

/// What the stand-in says if the app cannot be loaded (the wasm did not come, or the
/// browser has no WebAssembly): the one text of the page the app itself never shows, so
/// it is here rather than in the app's messages (which the bundle carries).
fn unloaded(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "The page did not fully load. Check your connection and reload.",
        Lang::Fr => {
            "La page ne s’est pas chargée entièrement. Vérifiez votre connexion et rechargez-la."
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [page, element] = args.as_slice() else {
        eprintln!("usage: app-passwords-prerender <dist>/index.html <sign-in.json>");
        return ExitCode::FAILURE;
    };
    let drawn = screens().and_then(|screens| {
        into_page(page, &screens).map_err(|why| format!("{page}: {why}"))?;
        let json = serde_json::Map::from_iter(
            screens.into_iter().map(|(lang, html)| (lang.tag().to_owned(), html.into())),
        );
        std::fs::write(element, serde_json::Value::Object(json).to_string())
            .map_err(|why| format!("{element}: {why}"))
    });
    match drawn {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("app-passwords-prerender: {why}");
            ExitCode::FAILURE
        }
    }
}

/// The sign-in screen in each language the app speaks.
fn screens() -> Result<Vec<(Lang, String)>, String> {
    [Lang::En, Lang::Fr]
        .into_iter()
        .map(|lang| Ok((lang, sign_in(&render(lang)?, lang)?)))
        .collect()
}

/// Writes `screens` into the page at `path`, before the app's root.
fn into_page(path: &str, screens: &[(Lang, String)]) -> Result<(), String> {
    let page = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    if page.contains(PRERENDERED) {
        return Err("already has prerendered screens".into());
    }
    let at = page.find(PAGE_ROOT).ok_or("no [data-app-passwords-page] element as expected")?;
    let screens: String = screens.iter().map(|(_, html)| html.as_str()).collect();
    let page = format!("{}{PRERENDERED}{screens}</div>\n  {}", &page[..at], &page[at..]);
    std::fs::write(path, page).map_err(|e| e.to_string())
}

/// The app on its first screen (sign-in), as Yew draws it in the browser.
fn render(lang: Lang) -> Result<String, String> {
    let runtime =
        tokio::runtime::Builder::new_current_thread().build().map_err(|e| e.to_string())?;
    let props = AppProps { lang: Some(lang), ..AppProps::default() };
    let renderer = yew::LocalServerRenderer::<App>::with_props(props).hydratable(false);
    Ok(tokio::task::LocalSet::new().block_on(&runtime, renderer.render()))
}

/// `html` with its buttons disabled and Sign in carrying the app's words for a press kept;
/// anything else than the sign-in screen as expected is an error (the build stops).
fn sign_in(html: &str, lang: Lang) -> Result<String, String> {
    let root = format!(r#"<div lang="{}" class="ap-root">"#, lang.tag());
    let rest = html.strip_prefix(&root).ok_or("the app's root is not as expected")?;
    if rest.matches(SUBMIT).count() != 1
        || !rest.contains(r#"id="ap-username""#)
        || rest.matches(HEADER_END).count() != 1
        || rest.matches(STATUS).count() != 1
    {
        return Err(format!("the {} sign-in screen is not as expected", lang.tag()));
    }
    // Said where the app says the endpoint is down, once stand-in.js is told (a template's
    // content is not shown, not read, until then).
    let banner = format!(
        r#"{HEADER_END}<template data-unloaded><div class="ap-banner ap-banner--error" role="alert">{}</div></template>"#,
        unloaded(lang)
    );
    let rest = rest.replace(HEADER_END, &banner);
    // The app's live region, empty here: the app announces in its own.
    let rest = rest.replace(STATUS, "");
    // Every button disabled (a frame may be drawn before the page's script has run:
    // stand-in.js enables Sign in as it starts keeping presses), and Sign in with the
    // app's words for a press kept.
    let disabled = SUBMIT.replace("<button ", "<button disabled ");
    let working = format!(r#"<button disabled data-working="{}" "#, lang.text(Msg::Working));
    let rest = rest
        .replace("<button ", "<button disabled ")
        .replace(&disabled, &SUBMIT.replace("<button ", &working));
    // Attributes at their defaults, written as HTML has them (fewer bytes to send).
    let rest = rest.replace(r#" value="""#, "");
    let rest = rest.replace(r#"="novalidate""#, "").replace(r#"="required""#, "");
    Ok(format!("{root}{rest}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Each language's sign-in screen, as the app draws it: every button disabled, Sign in
    /// with the app's words for a press kept.
    #[test]
    fn both_sign_in_screens_are_drawn_with_every_button_disabled_until_presses_are_kept() {
        for (lang, title, working) in [
            (Lang::En, ">Sign in</h1>", "Please wait…"),
            (Lang::Fr, ">Connexion</h1>", "Un instant…"),
        ] {
            let html = sign_in(&render(lang).unwrap(), lang).unwrap();
            assert!(html.starts_with(&format!(r#"<div lang="{}" class="ap-root">"#, lang.tag())));
            assert!(html.contains(title), "{html}");
            let submit = format!(r#"<button disabled data-working="{working}" type="submit" "#);
            assert_eq!(html.matches(&submit).count(), 1, "{html}");
            assert!(html.matches("<button ").count() >= 2, "the language switch too: {html}");
            // All disabled until stand-in.js keeps presses (it enables Sign in then).
            assert_eq!(html.matches("<button ").count(), html.matches("<button disabled ").count());
            assert!(html.contains(r#"autocomplete="current-password""#), "{html}");
            assert_eq!(html.matches("<template data-unloaded>").count(), 1, "{html}");
        }
    }

    /// The page gets one stand-in, before the app's root; a second run refuses.
    #[test]
    fn the_page_gets_the_screens_once() {
        let dir = std::env::temp_dir().join(format!("prerender-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("index.html");
        std::fs::write(&path, format!("<body>\n  {PAGE_ROOT}</div>\n</body>")).unwrap();
        let path = path.to_str().unwrap();
        let screens = screens().unwrap();
        into_page(path, &screens).unwrap();
        let page = std::fs::read_to_string(path).unwrap();
        assert_eq!(page.matches(PRERENDERED).count(), 1);
        assert!(page.find(PRERENDERED).unwrap() < page.find(PAGE_ROOT).unwrap());
        assert!(page.contains(&screens[1].1), "French too");
        assert!(into_page(path, &screens).is_err(), "drawn twice");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
