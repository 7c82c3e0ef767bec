//! The endpoint's answers, parsed by the browser's `JSON.parse` and read into the
//! contract's types by `api::from_js`: what fits is read whole, what does not is refused
//! (never a panic, never a silently wrong value).

use app_passwords::api::from_js::{from_value, Unfit};
use serde::de::DeserializeOwned;
use wasm_bindgen_test::wasm_bindgen_test;
use wire::{
    AppPasswordInfo, AppPasswordList, EnrollmentRequest, ErrorCode, FieldError, MethodKind, Next,
    Policy, Problem,
};

fn read<T: DeserializeOwned>(json: &str) -> Result<T, Unfit> {
    from_value(js_sys::JSON::parse(json).expect("valid JSON"))
}

#[wasm_bindgen_test]
fn a_problem_document_is_read_whole_and_unknown_codes_are_kept_as_unknown() {
    let p: Problem = read(
        r#"{"type":"about:blank","title":"Check the form","status":422,"code":"validation_failed",
            "request_id":"r-1","errors":[{"field":"name","code":"too_long"}],"extra":{"a":[1,2]}}"#,
    )
    .unwrap();
    assert_eq!(p.status, 422);
    assert_eq!(p.code, ErrorCode::ValidationFailed);
    assert_eq!(p.request_id.as_deref(), Some("r-1"));
    assert_eq!(p.errors, vec![FieldError { field: "name".into(), code: "too_long".into() }]);
    assert_eq!((p.detail, p.retry_after, p.attempts_left), (None, None, None));

    let p: Problem =
        read(r#"{"title":"x","status":429,"code":"brand_new_code","retry_after":30}"#).unwrap();
    assert_eq!((p.code, p.retry_after), (ErrorCode::Unknown, Some(30)));
    assert_eq!(p.type_, "about:blank", "the default of a missing field");
}

#[wasm_bindgen_test]
fn lists_options_and_enums_are_read() {
    let list: AppPasswordList = read(
        r#"{"limit":40,"items":[
            {"id":"a","name":"Outlook","created_at":"2026-01-01T00:00:00Z","last_used_at":null},
            {"id":"b","name":"Mail","created_at":"2026-01-02T00:00:00Z","last_used_at":"2026-01-03T00:00:00Z"}]}"#,
    )
    .unwrap();
    assert_eq!(list.limit, 40);
    assert_eq!(list.items[0].last_used_at, None);
    assert_eq!(list.items[1].last_used_at.as_deref(), Some("2026-01-03T00:00:00Z"));
    let missing: AppPasswordInfo = read(r#"{"id":"a","name":"n","created_at":"t"}"#).unwrap();
    assert_eq!(missing.last_used_at, None, "an absent optional field is None");

    let policy: Policy = read(
        r#"{"mfa_required":true,"app_passwords_allowed":false,"allowed_methods":["totp","email"]}"#,
    )
    .unwrap();
    assert!(policy.mfa_required && !policy.app_passwords_allowed);
    assert_eq!(policy.allowed_methods, vec![MethodKind::Totp, MethodKind::Email]);
    assert_eq!(read::<Next>(r#""mfa_challenge""#), Ok(Next::MfaChallenge));
    // Internally tagged, as the server reads it.
    assert_eq!(
        read::<EnrollmentRequest>(r#"{"kind":"sms","phone":"+33612345678"}"#),
        Ok(EnrollmentRequest::Sms { phone: "+33612345678".into() })
    );
    assert_eq!(read::<EnrollmentRequest>(r#"{"kind":"totp"}"#), Ok(EnrollmentRequest::Totp));
}

#[wasm_bindgen_test]
fn what_does_not_fit_is_refused() {
    let problem = |body: &str| read::<Problem>(body).map(|_| ());
    // Numbers out of range, negative, fractional, or too large to be exact.
    assert_eq!(problem(r#"{"title":"x","status":70000,"code":"internal"}"#), Err(Unfit));
    assert_eq!(problem(r#"{"title":"x","status":-1,"code":"internal"}"#), Err(Unfit));
    assert_eq!(problem(r#"{"title":"x","status":400.5,"code":"internal"}"#), Err(Unfit));
    assert_eq!(read::<AppPasswordList>(r#"{"limit":1e300,"items":[]}"#).map(|_| ()), Err(Unfit));
    // A missing required field, a wrong type, a wrong shape.
    assert_eq!(problem(r#"{"status":400,"code":"internal"}"#), Err(Unfit));
    assert_eq!(problem(r#"{"title":7,"status":400,"code":"internal"}"#), Err(Unfit));
    assert_eq!(problem(r#"[1,2,3]"#), Err(Unfit));
    assert_eq!(problem("null"), Err(Unfit));
    assert_eq!(read::<Next>(r#""ready_soon""#), Err(Unfit), "an unknown step");
    assert_eq!(read::<Next>("3"), Err(Unfit));
    assert_eq!(read::<EnrollmentRequest>(r#"{"kind":"sms"}"#), Err(Unfit), "no phone");
}

/// The sign-in's body is written field by field (src/api.rs, to keep serde's writer out of
/// the first module): it must be what serde writes, whatever the text (quotes, controls,
/// non-ASCII, a lone surrogate's stand-in).
#[wasm_bindgen_test]
fn the_sign_in_body_written_by_hand_is_what_serde_writes() {
    use app_passwords::api::{json, sign_in_body};
    use wire::SignInRequest;
    for (username, password) in [
        ("nora@contoso.example", "Right-password-1"),
        ("\"quoted\" \\ back", "tab\tnew\nline\u{1}"),
        ("élodie@contoso.example", "🙂 \u{fffd} \u{2028}"),
        ("", ""),
    ] {
        let req = SignInRequest { username: username.into(), password: password.into() };
        let (by_hand, by_serde) = (sign_in_body(&req).unwrap(), json(&req).unwrap());
        let parsed = |text: &str| js_sys::JSON::parse(text).unwrap();
        assert_eq!(
            js_sys::JSON::stringify(&parsed(&by_hand)).unwrap(),
            js_sys::JSON::stringify(&parsed(&by_serde)).unwrap()
        );
        assert_eq!(by_hand, by_serde, "the same text, in the same field order");
    }
}
