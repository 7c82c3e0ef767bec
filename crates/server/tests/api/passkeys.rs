//! Security keys and passkeys: real WebAuthn ceremonies against the real server, the
//! browser's part played by a software authenticator (webauthn-authenticator-rs's
//! SoftPasskey: real keys, real signatures, a real counter), and every rule attacked:
//! another site's answer, a replay, an answer raced, a counter gone backwards, a key
//! registered twice, the phishing-resistant policy.

use serde_json::{json, Value};
use webauthn_authenticator_rs::prelude::Url;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_authenticator_rs::{AuthenticatorBackend, WebauthnAuthenticator};

use crate::common::*;

pub const KEY_USER: (&str, &str) = app_passwords_server::demo::KEY_USER.credentials();

/// Where the app runs in these tests: the server's default relying party (localhost).
fn origin() -> Url {
    Url::parse("http://localhost:8080").unwrap()
}

/// A security key that claims user verification (a PIN or fingerprint was given).
fn new_key() -> SoftPasskey {
    SoftPasskey::new(true)
}

/// The key's answer to an enrollment's options, as the browser would send it
/// (`credential.toJSON()`).
fn register(key: &mut SoftPasskey, options: &Value, from: Url) -> String {
    let ccr = serde_json::from_value(json!({ "publicKey": options })).unwrap();
    serde_json::to_string(&key.do_registration(from, ccr).expect("the key registers")).unwrap()
}

/// The key's answer to a challenge's options.
fn assert_with(key: &mut SoftPasskey, options: &Value, from: Url) -> String {
    let rcr = serde_json::from_value(json!({ "publicKey": options })).unwrap();
    serde_json::to_string(&key.do_authentication(from, rcr).expect("the key signs")).unwrap()
}

/// `credential` (a registration) rewritten to claim the credential id `victim`, as a
/// client may: with attestation "none" nothing signs the authenticator data. The
/// attestation object is rebuilt as `{fmt: "none", attStmt: {}, authData}` (CBOR).
fn claiming(credential: &str, victim: &str) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    use base64::Engine;
    let mut v: Value = serde_json::from_str(credential).unwrap();
    let own = B64.decode(v["rawId"].as_str().unwrap()).unwrap();
    let theirs = B64.decode(victim).unwrap();
    assert_eq!(own.len(), theirs.len(), "same-length ids: patched in place");
    let object = B64.decode(v["response"]["attestationObject"].as_str().unwrap()).unwrap();
    let at = object.windows(9).position(|w| w == b"\x68authData").unwrap() + 9;
    let (start, len) = match object[at] {
        0x58 => (at + 2, usize::from(object[at + 1])),
        0x59 => (at + 3, usize::from(u16::from_be_bytes([object[at + 1], object[at + 2]]))),
        b => panic!("authData header {b:#x}"),
    };
    let mut auth_data = object[start..start + len].to_vec();
    let pos = auth_data.windows(own.len()).position(|w| w == own).unwrap();
    auth_data[pos..pos + own.len()].copy_from_slice(&theirs);
    let mut cbor = vec![0xa3, 0x63, b'f', b'm', b't', 0x64, b'n', b'o', b'n', b'e'];
    cbor.extend_from_slice(b"\x67attStmt\xa0\x68authData");
    let n = u16::try_from(auth_data.len()).unwrap().to_be_bytes();
    cbor.extend_from_slice(&[0x59, n[0], n[1]]);
    cbor.extend_from_slice(&auth_data);
    v["id"] = json!(victim);
    v["rawId"] = json!(victim);
    v["response"]["attestationObject"] = json!(B64.encode(cbor));
    v.to_string()
}

fn options(v: &Value) -> Value {
    serde_json::from_str(v["options"].as_str().expect("options")).unwrap()
}

impl User<'_> {
    /// Starts registering a key; returns (enrollment id, options).
    async fn start_key(&self, name: &str) -> (String, Value) {
        let e = self.create("/v1/mfa/enrollments", json!({"kind": "passkey", "name": name})).await;
        assert_eq!(e["kind"], "passkey");
        (e["id"].as_str().unwrap().to_owned(), options(&e))
    }

    /// POSTs a key's answer to a verify path; on 200 switches to the rotated token.
    async fn answer(&self, path: &str, credential: &str) -> (u16, Value) {
        let res = self.post(path, json!({ "credential": credential })).await;
        let status = res.status().as_u16();
        let body: Value = res.json().await.unwrap();
        if status == 200 {
            self.rotated(&body);
        }
        (status, body)
    }

    /// Registers `key` under `name`; returns the verification's answer.
    async fn enroll_key(&self, key: &mut SoftPasskey, name: &str) -> Value {
        let (id, options) = self.start_key(name).await;
        let credential = register(key, &options, origin());
        let (status, body) =
            self.answer(&format!("/v1/mfa/enrollments/{id}/verify"), &credential).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Opens a challenge of method `method_id`; returns (challenge id, options).
    async fn challenge(&self, method_id: &str) -> (String, Value) {
        let c = self.create("/v1/mfa/challenges", json!({ "method_id": method_id })).await;
        (c["id"].as_str().unwrap().to_owned(), options(&c))
    }
}

fn method_id(session: &Value, kind: &str) -> String {
    let methods = session["account"]["methods"].as_array().unwrap();
    let m = methods.iter().find(|m| m["kind"] == kind).expect("a method of that kind");
    m["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_key_registered_at_setup_is_proven_at_the_next_sign_in_then_an_app_password_follows() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    let mut key = new_key();
    let (id, options) = user.start_key("YubiKey 5C").await;
    assert_eq!(options["rp"]["id"], "localhost");
    assert_eq!(options["user"]["name"], NEW_USER.0);
    assert_ne!(options["user"]["id"], json!(NEW_USER.0), "the user handle is opaque");
    let old_token = user.token();
    let credential = register(&mut key, &options, origin());
    let (status, v) = user.answer(&format!("/v1/mfa/enrollments/{id}/verify"), &credential).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["next"], "ready");
    let registered_at = v["method"]["last_used_at"].as_str().unwrap().to_owned();
    assert_ne!(user.token(), old_token, "proving a method rotates the session token");
    assert_eq!(v["method"]["kind"], "passkey");
    assert_eq!(v["method"]["label"], "YubiKey 5C");
    assert!(v["method"]["last_used_at"].is_string(), "{v}");

    let again = app.sign_in(NEW_USER).await;
    assert_eq!(again.session["next"], "mfa_challenge");
    let key_id = method_id(&again.session, "passkey");
    let (challenge, options) = again.challenge(&key_id).await;
    assert_eq!(options["allowCredentials"].as_array().unwrap().len(), 1, "{options}");
    assert_eq!(options["userVerification"], "required");
    app.clock.advance(60);
    let assertion = assert_with(&mut key, &options, origin());
    let (status, v) =
        again.answer(&format!("/v1/mfa/challenges/{challenge}/verify"), &assertion).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["next"], "ready");
    let listed: Value = again.get("/v1/account").await.json().await.unwrap();
    let used = listed["account"]["methods"][0]["last_used_at"].as_str().unwrap();
    assert_eq!(used, v["method"]["last_used_at"]);
    assert!(used > registered_at.as_str(), "last use moves on: {used} after {registered_at}");
    again.create_app_password("Outlook 2016").await;
}

#[tokio::test]
async fn another_sites_answer_is_refused_and_counted_like_a_wrong_code() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    let mut key = new_key();
    let (id, options) = user.start_key("Key").await;
    let evil = Url::parse("https://login-contoso.example").unwrap();
    // A phishing page relays the options; the key signs for the page the browser shows.
    let ccr: webauthn_authenticator_rs::prelude::CreationChallengeResponse =
        serde_json::from_value(json!({ "publicKey": options })).unwrap();
    let forged = key.perform_register(evil.clone(), ccr.public_key, 60_000).unwrap();
    let verify = format!("/v1/mfa/enrollments/{id}/verify");
    let (status, body) = user.answer(&verify, &serde_json::to_string(&forged).unwrap()).await;
    assert_eq!((status, body["code"].as_str()), (422, Some("credential_refused")), "{body}");
    assert_eq!(body["attempts_left"], 4);
    // Garbage counts too, and the right answer still works after.
    let (status, body) = user.answer(&verify, "{\"id\":\"x\"}").await;
    assert_eq!((status, body["attempts_left"].as_u64()), (422, Some(3)));
    let (status, _) = user.answer(&verify, &register(&mut key, &options, origin())).await;
    assert_eq!(status, 200);

    let again = app.sign_in(NEW_USER).await;
    let (challenge, options) = again.challenge(&method_id(&again.session, "passkey")).await;
    let rcr: webauthn_authenticator_rs::prelude::RequestChallengeResponse =
        serde_json::from_value(json!({ "publicKey": options })).unwrap();
    let forged = key.perform_auth(evil, rcr.public_key, 60_000).unwrap();
    let verify = format!("/v1/mfa/challenges/{challenge}/verify");
    let (status, body) = again.answer(&verify, &serde_json::to_string(&forged).unwrap()).await;
    assert_eq!((status, body["code"].as_str()), (422, Some("credential_refused")), "{body}");
    let account: Value = again.get("/v1/account").await.json().await.unwrap();
    assert_eq!(account["next"], "mfa_challenge", "a refused answer proves nothing");
}

#[tokio::test]
async fn an_assertion_works_once_replayed_or_raced_it_proves_nothing_more() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    let mut key = new_key();
    user.enroll_key(&mut key, "Key").await;
    let again = app.sign_in(NEW_USER).await;
    let key_id = method_id(&again.session, "passkey");
    let (challenge, options) = again.challenge(&key_id).await;
    let assertion = assert_with(&mut key, &options, origin());
    let verify = format!("/v1/mfa/challenges/{challenge}/verify");
    // Eight copies at once, on eight connections from eight addresses.
    let token = again.token();
    let tries = (0..8u32).map(|n| {
        let (url, token, body) =
            (app.url(&verify), token.clone(), json!({"credential": assertion}));
        async move {
            let res = client_at(n).post(url).bearer_auth(token).json(&body).send().await.unwrap();
            outcome(res).await
        }
    });
    let outcomes = futures::future::join_all(tries).await;
    assert_eq!(count(&outcomes, 200, ""), 1, "{outcomes:?}");
    assert!(
        outcomes.iter().all(|o| o.0 == 200 || o.0 == 404 || o.0 == 401),
        "the others find the proof closed or the token replaced: {outcomes:?}"
    );

    // Replayed to a new challenge of another session: its challenge is not this one's.
    let third = app.sign_in(NEW_USER).await;
    let (challenge, _) = third.challenge(&key_id).await;
    let (status, body) =
        third.answer(&format!("/v1/mfa/challenges/{challenge}/verify"), &assertion).await;
    assert_eq!((status, body["code"].as_str()), (422, Some("credential_refused")), "{body}");
}

#[tokio::test]
async fn a_key_whose_counter_goes_back_is_refused_as_a_clone() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    let mut key = new_key();
    user.enroll_key(&mut key, "Key").await;
    let again = app.sign_in(NEW_USER).await;
    let key_id = method_id(&again.session, "passkey");
    // Two challenges open; the key signs the first (counter 1), then the second (2).
    let (first, first_options) = again.challenge(&key_id).await;
    let (second, second_options) = again.challenge(&key_id).await;
    let older = assert_with(&mut key, &first_options, origin());
    let newer = assert_with(&mut key, &second_options, origin());
    let (status, _) = again.answer(&format!("/v1/mfa/challenges/{second}/verify"), &newer).await;
    assert_eq!(status, 200);
    // Out of order: the older signature's counter is behind the one stored.
    let (status, body) = again.answer(&format!("/v1/mfa/challenges/{first}/verify"), &older).await;
    assert_eq!((status, body["code"].as_str()), (422, Some("credential_refused")), "{body}");
}

#[tokio::test]
async fn a_key_is_registered_once_to_one_account() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    let mut key = new_key();
    user.enroll_key(&mut key, "Key").await;
    // The browser is told which keys the account has...
    let (id, mut options) = user.start_key("Same key").await;
    let excluded = options["excludeCredentials"].as_array().unwrap().len();
    assert_eq!(excluded, 1, "{options}");
    // ... and a client that ignores the list, answering with the same credential id, is
    // refused by the server (webauthn-rs checks the list it sent: a refused answer).
    let registered = options["excludeCredentials"][0]["id"].as_str().unwrap().to_owned();
    options.as_object_mut().unwrap().remove("excludeCredentials");
    let credential = claiming(&register(&mut key, &options, origin()), &registered);
    let (status, body) =
        user.answer(&format!("/v1/mfa/enrollments/{id}/verify"), &credential).await;
    assert_eq!((status, body["code"].as_str()), (422, Some("credential_refused")), "{body}");
    let account: Value = user.get("/v1/account").await.json().await.unwrap();
    assert_eq!(account["account"]["methods"].as_array().unwrap().len(), 1);

    // Nor may another account claim it (credential ids are not secret: squatting on
    // one would make the owner's key unusable, or mix two accounts up).
    let other = app.sign_in(KEY_USER).await;
    let (id, options) = other.start_key("Borrowed key").await;
    let credential = claiming(&register(&mut new_key(), &options, origin()), &registered);
    let (status, body) =
        other.answer(&format!("/v1/mfa/enrollments/{id}/verify"), &credential).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("key_already_registered")), "{body}");
}

/// One key's answer raced into eight accounts' enrollments at once: one registers it,
/// the others are told it is taken, on PostgreSQL too (where the registrations lock the
/// key, not everything).
#[tokio::test]
async fn one_key_raced_into_eight_accounts_is_registered_to_one() {
    let app = spawn_app().await;
    let mut users = vec![app.sign_in(NEW_USER).await, app.sign_in(KEY_USER).await];
    for name in ["ann", "bea", "cat", "dan", "eve", "fay"] {
        let name: &'static str = format!("{name}.other@contoso.example").leak();
        users.push(
            app.sign_in(crate::locks::like_nora(&app, name, "Other-person-2026").await).await,
        );
    }
    let mut answers = Vec::new();
    for user in &users {
        answers.push(user.start_key("Shared key").await);
    }
    let (_, first) = &answers[0];
    let fresh: Value = serde_json::from_str(&register(&mut new_key(), first, origin())).unwrap();
    let shared = fresh["rawId"].as_str().unwrap().to_owned();
    let tries = users.iter().zip(&answers).map(|(user, (id, options))| {
        let credential = claiming(&register(&mut new_key(), options, origin()), &shared);
        async move { user.answer(&format!("/v1/mfa/enrollments/{id}/verify"), &credential).await }
    });
    let outcomes = futures::future::join_all(tries).await;
    let mut statuses: Vec<_> = outcomes
        .iter()
        .map(|(status, body)| (*status, body["code"].as_str().unwrap_or_default().to_owned()))
        .collect();
    statuses.sort();
    let taken = (409, "key_already_registered".to_owned());
    let mut expected = vec![taken; users.len() - 1];
    expected.insert(0, (200, String::new()));
    assert_eq!(statuses, expected, "{outcomes:?}");
    let pool = app.pool().await;
    let holders: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM methods WHERE credential_id IS NOT NULL")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(holders, 1);
}

/// PostgreSQL: a key's registration waits for a rule about its account or about that
/// key, not for one about somebody else.
#[tokio::test]
#[ignore = "PostgreSQL only: SQLite runs one rule at a time by design"]
async fn a_key_registration_waits_only_for_rules_about_its_account_or_its_key() {
    use crate::locks::{account_id, rule_about, until_waiting, HANG};
    use sqlx::Connection;
    let _ = require_postgres();
    let app = spawn_app().await;
    let (nora, kim) = (app.sign_in(NEW_USER).await, app.sign_in(KEY_USER).await);
    let mut held = sqlx::AnyConnection::connect(&app.database_url).await.unwrap();

    // A rule about Nora is running: Kim registers a key meanwhile.
    let tx = rule_about(&mut held, Some(&account_id(&app, NEW_USER.0).await)).await;
    let registered = tokio::time::timeout(HANG, kim.enroll_key(&mut new_key(), "Laptop")).await;
    registered.expect("Kim's key waited for a rule about Nora");
    tx.rollback().await.unwrap();

    // A registration of one key is running: another account's registration of the same
    // key waits for it, then finds it taken.
    let (id, options) = nora.start_key("Borrowed").await;
    let answer = register(&mut new_key(), &options, origin());
    let key_id =
        serde_json::from_str::<Value>(&answer).unwrap()["rawId"].as_str().unwrap().to_owned();
    let mut tx = held.begin().await.unwrap();
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(app_passwords_server::store::lock_key("credential", &key_id))
        .execute(&mut *tx)
        .await
        .unwrap();
    let path = format!("/v1/mfa/enrollments/{id}/verify");
    let (nora_answer, waited) = tokio::join!(nora.answer(&path, &answer), async {
        until_waiting(&app, 1).await;
        tx.commit().await.unwrap();
    });
    let () = waited;
    assert_eq!(nora_answer.0, 200, "{:?}", nora_answer.1);
}

#[tokio::test]
async fn a_code_and_a_key_answer_each_only_their_own_kind_of_proof() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    let (id, _) = user.start_key("Key").await;
    let (status, body) = problem(
        user.post(&format!("/v1/mfa/enrollments/{id}/verify"), json!({"code": "123456"})).await,
    )
    .await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("credential")));
    // Text that cannot be a key's answer is malformed, and costs no try; an answer that
    // is one but does not verify is refused, and counted.
    let verify = format!("/v1/mfa/enrollments/{id}/verify");
    for text in ["", " ", "0", "not json", "[]", "\"{}\""] {
        let (status, body) = problem(user.post(&verify, json!({"credential": text})).await).await;
        let error = (body["errors"][0]["field"].as_str(), body["errors"][0]["code"].as_str());
        assert_eq!((status, error), (422, (Some("credential"), Some("malformed"))), "{text:?}");
    }
    let (status, body) = problem(user.post(&verify, json!({"credential": "{}"})).await).await;
    assert_eq!((status, body["code"].as_str()), (422, Some("credential_refused")), "{body}");
    assert_eq!(body["attempts_left"], 4, "only the answer that could be one was counted");
    let e = user.create("/v1/mfa/enrollments", json!({"kind": "totp"})).await;
    let path = format!("/v1/mfa/enrollments/{}/verify", e["id"].as_str().unwrap());
    let (status, body) = problem(user.post(&path, json!({"credential": "{}"})).await).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("code")));
    // Both at once is neither.
    let (status, _) =
        problem(user.post(&path, json!({"code": "123456", "credential": "{}"})).await).await;
    assert_eq!(status, 422);
    // A key needs a name, under the rule of app password names.
    for (name, why) in [("", "required"), ("\u{202e}evil", "invalid_characters")] {
        let (status, body) = problem(
            user.post("/v1/mfa/enrollments", json!({"kind": "passkey", "name": name})).await,
        )
        .await;
        assert_eq!((status, body["errors"][0]["code"].as_str()), (422, Some(why)), "{name:?}");
    }
}

#[tokio::test]
async fn under_the_phishing_resistant_policy_only_a_key_opens_app_password_creation() {
    let app = spawn_app().await;
    let user = app.sign_in(KEY_USER).await;
    assert_eq!(user.session["account"]["policy"]["phishing_resistant"], true);
    assert_eq!(user.session["next"], "mfa_setup");
    // An authenticator app is a method, but its codes can be phished: not enough.
    let secret = user.enroll_totp().await;
    let account: Value = user.get("/v1/account").await.json().await.unwrap();
    assert_eq!(account["next"], "mfa_setup", "{account}");
    let (status, body) =
        problem(user.post("/v1/app-passwords", json!({"name": "Mail"})).await).await;
    assert_eq!((status, body["code"].as_str()), (403, Some("phishing_resistant_required")));
    // Listing is fine: only creating opens the door.
    assert_eq!(user.get("/v1/app-passwords").await.status(), 200);

    // The first key may be added with the code's step-up; a second method is no
    // step-up, so the key is proven next.
    let mut key = new_key();
    let v = user.enroll_key(&mut key, "Laptop").await;
    assert_eq!(v["next"], "mfa_challenge", "{v}");
    let (challenge, options) = user.challenge(&method_id(&v_account(&user).await, "passkey")).await;
    let (status, v) = user
        .answer(
            &format!("/v1/mfa/challenges/{challenge}/verify"),
            &assert_with(&mut key, &options, origin()),
        )
        .await;
    assert_eq!((status, v["next"].as_str()), (200, Some("ready")), "{v}");
    user.create_app_password("Mail").await;

    // Once a key is registered, a session proven with a code adds no method: a
    // phisher relaying a code must not register their own key.
    let phished = app.sign_in(KEY_USER).await;
    let totp_id = method_id(&phished.session, "totp");
    let c = phished.create("/v1/mfa/challenges", json!({"method_id": totp_id})).await;
    let res = phished
        .verify(
            &format!("/v1/mfa/challenges/{}/verify", c["id"].as_str().unwrap()),
            &app.totp(&secret, 1),
        )
        .await;
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["next"], "mfa_challenge", "the key is still to be proven: {v}");
    let (status, body) = problem(
        phished.post("/v1/mfa/enrollments", json!({"kind": "passkey", "name": "Attacker"})).await,
    )
    .await;
    assert_eq!((status, body["code"].as_str()), (403, Some("mfa_required")));
    let (status, body) =
        problem(phished.post("/v1/app-passwords", json!({"name": "Exfil"})).await).await;
    assert_eq!((status, body["code"].as_str()), (403, Some("phishing_resistant_required")));
}

async fn v_account(user: &User<'_>) -> Value {
    user.get("/v1/account").await.json().await.unwrap()
}

#[tokio::test]
async fn under_the_phishing_resistant_policy_a_code_proven_session_cannot_remove_the_key() {
    let app = spawn_app().await;
    let user = app.sign_in(KEY_USER).await;
    let secret = user.enroll_totp().await;
    let mut key = new_key();
    user.enroll_key(&mut key, "Laptop").await;
    let account = v_account(&user).await;
    let (key_id, totp_id) = (method_id(&account, "passkey"), method_id(&account, "totp"));

    // A phisher relaying the person's code holds a fresh, code-proven session.
    let phished = app.sign_in(KEY_USER).await;
    let c = phished.create("/v1/mfa/challenges", json!({"method_id": totp_id})).await;
    let path = format!("/v1/mfa/challenges/{}/verify", c["id"].as_str().unwrap());
    assert_eq!(phished.verify(&path, &app.totp(&secret, 1)).await.status(), 200);
    for res in [
        phished.delete(&format!("/v1/mfa/methods/{key_id}")).await,
        phished.delete(&format!("/v1/mfa/methods/{totp_id}")).await,
        phished
            .send(
                reqwest::Method::PUT,
                &format!("/v1/mfa/methods/{key_id}/name"),
                Some(json!({"name": "Old"})),
            )
            .await,
        phished.post(&format!("/v1/mfa/methods/{totp_id}/default"), json!({})).await,
    ] {
        let (status, p) = problem(res).await;
        assert_eq!((status, p["code"].as_str()), (403, Some("phishing_resistant_required")));
    }
    assert_eq!(v_account(&user).await["account"]["methods"].as_array().unwrap().len(), 2);

    // Proven with the key, the person removes the authenticator app.
    let (challenge, options) = user.challenge(&key_id).await;
    let (status, _) = user
        .answer(
            &format!("/v1/mfa/challenges/{challenge}/verify"),
            &assert_with(&mut key, &options, origin()),
        )
        .await;
    assert_eq!(status, 200);
    let res = user.delete(&format!("/v1/mfa/methods/{totp_id}")).await;
    assert_eq!(res.status(), 200);
    let account: Value = res.json().await.unwrap();
    assert_eq!(account["methods"][0]["kind"], "passkey");
    assert_eq!(account["methods"].as_array().unwrap().len(), 1);
}
