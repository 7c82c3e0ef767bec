//! The ID token's checks, attacked: a hostile provider (an HTTP server of the test's own
//! on loopback: discovery, keys, a token endpoint answering whatever ID token the test
//! forges) against the real endpoint over real HTTP. Each forgery must end in
//! `sso_failed`; the same sign-in with a well-made token must succeed (so the test can
//! fail).

use std::sync::{Arc, Mutex};

use app_passwords_server::config::Config;
use axum::routing::{get, post};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use openidconnect::core::{
    CoreHmacKey, CoreIdToken, CoreIdTokenClaims, CoreJwsSigningAlgorithm, CoreRsaPrivateSigningKey,
};
use openidconnect::{
    Audience, AuthenticationMethodReference, EmptyAdditionalClaims, IssuerUrl, JsonWebKeyId, Nonce,
    PrivateSigningKey, StandardClaims, SubjectIdentifier,
};
use serde_json::{json, Value};

use crate::common::*;

const CLIENT_ID: &str = "app-passwords";
const CLIENT_SECRET: &str = "a-client-secret-of-32-characters-x";

/// The hostile provider: its issuer, its signing key, and the ID token it answers next.
struct Hostile {
    issuer: String,
    key: CoreRsaPrivateSigningKey,
    /// Its published key as the world sees it: the public key in PEM, and its JWKS.
    public: [String; 2],
    /// A second key it never publishes.
    unpublished: CoreRsaPrivateSigningKey,
    answer: Arc<Mutex<String>>,
}

fn rsa_key(kid: &str) -> CoreRsaPrivateSigningKey {
    rsa_key_pem(kid).0
}

/// A new RSA key named `kid`, and its public key in PEM.
fn rsa_key_pem(kid: &str) -> (CoreRsaPrivateSigningKey, String) {
    let out = std::process::Command::new("openssl")
        .args(["genrsa", "-traditional", "2048"])
        .output()
        .expect("openssl is installed by `make test`");
    let pem = String::from_utf8(out.stdout).unwrap();
    let mut public = std::process::Command::new("openssl")
        .args(["rsa", "-pubout"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut public.stdin.take().unwrap(), pem.as_bytes()).unwrap();
    let public = String::from_utf8(public.wait_with_output().unwrap().stdout).unwrap();
    let key = CoreRsaPrivateSigningKey::from_pem(&pem, Some(JsonWebKeyId::new(kid.into())));
    (key.unwrap(), public)
}

impl Hostile {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let (key, public_pem) = rsa_key_pem("published");
        let jwks = json!({"keys": [serde_json::to_value(key.as_verification_key()).unwrap()]});
        let public = [public_pem, jwks.to_string()];
        let discovery = json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}/auth"),
            "token_endpoint": format!("{issuer}/token"),
            "jwks_uri": format!("{issuer}/jwks"),
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256", "HS256", "none"],
        });
        let answer = Arc::new(Mutex::new(String::new()));
        let token = answer.clone();
        let app = axum::Router::new()
            .route("/.well-known/openid-configuration", get(move || async move { axum::Json(discovery) }))
            .route("/jwks", get(move || async move { axum::Json(jwks) }))
            .route(
                "/token",
                post(move || async move {
                    let id_token = token.lock().unwrap().clone();
                    axum::Json(json!({"access_token": "at", "token_type": "Bearer", "expires_in": 60, "id_token": id_token}))
                }),
            );
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { issuer, key, public, unpublished: rsa_key("unpublished"), answer }
    }

    /// Claims a well-behaved provider would sign for `nonce` at `now`.
    fn claims(&self, nonce: &str, now: i64) -> CoreIdTokenClaims {
        let at = |t: i64| chrono::DateTime::from_timestamp(t, 0).unwrap();
        CoreIdTokenClaims::new(
            IssuerUrl::new(self.issuer.clone()).unwrap(),
            vec![Audience::new(CLIENT_ID.into())],
            at(now + 300),
            at(now),
            StandardClaims::new(SubjectIdentifier::new("someone-1".into())).set_email(Some(
                openidconnect::EndUserEmail::new("forged.person@contoso.example".into()),
            )),
            EmptyAdditionalClaims {},
        )
        .set_nonce(Some(Nonce::new(nonce.into())))
        .set_auth_time(Some(at(now)))
        .set_auth_method_refs(Some(vec![AuthenticationMethodReference::new("mfa".into())]))
    }

    /// The claims for `nonce`, HMAC-signed with `key` (the key-confusion attack: a
    /// verifier that takes the token's `alg` would check it with the public key as an
    /// HMAC secret, and pass it).
    fn hmac_signed(&self, nonce: &str, now: i64, key: &str) -> String {
        let key = CoreHmacKey::new(key.as_bytes());
        let alg = CoreJwsSigningAlgorithm::HmacSha256;
        CoreIdToken::new(self.claims(nonce, now), &key, alg, None, None).unwrap().to_string()
    }

    fn sign(&self, claims: CoreIdTokenClaims) -> String {
        let token = CoreIdToken::new(
            claims,
            &self.key,
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            None,
            None,
        );
        token.unwrap().to_string()
    }
}

/// A sign-in started at the endpoint: its state and nonce (as the provider would see
/// them in the authorization request).
async fn start(app: &TestApp) -> (String, String) {
    let return_to = format!("http://localhost:{}/", app.base.rsplit(':').next().unwrap());
    let start = url::Url::parse_with_params(&app.url("/v1/sso/start"), [("return_to", return_to)]);
    let no_redirect = reqwest::redirect::Policy::none();
    let browser = reqwest::Client::builder().redirect(no_redirect).build().unwrap();
    let res = browser.get(start.unwrap()).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let url = url::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    let param = |name: &str| url.query_pairs().find(|(k, _)| k == name).unwrap().1.into_owned();
    (param("state"), param("nonce"))
}

/// The callback for `state` with the hostile provider answering `id_token`: the
/// fragment's key and value.
async fn callback(
    app: &TestApp,
    hostile: &Hostile,
    state: &str,
    id_token: String,
) -> (String, String) {
    *hostile.answer.lock().unwrap() = id_token;
    let browser =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let url = format!("{}?code=c0de&state={state}", app.url("/v1/sso/callback"));
    let res = browser.get(url).send().await.unwrap();
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    let (_, fragment) = to.split_once('#').unwrap();
    let (k, v) = fragment.split_once('=').unwrap();
    (k.to_owned(), v.to_owned())
}

/// Makes an ID token for a sign-in's nonce.
type Forge<'a> = Box<dyn Fn(&str) -> String + 'a>;

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

#[tokio::test]
async fn forged_id_tokens_are_refused_and_a_well_made_one_passes() {
    let hostile = Hostile::start().await;
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("client.secret");
    std::fs::write(&secret, CLIENT_SECRET).unwrap();
    let issuer = hostile.issuer.clone();
    let app = spawn_with(move |c: &mut Config| {
        c.sso.sso_issuer = Some(issuer);
        c.sso.sso_client_id = Some(CLIENT_ID.into());
        c.sso.sso_client_secret_file = Some(secret);
        c.sso.sso_mfa_amr = vec!["mfa".into()];
    })
    .await;
    let now = app.clock.now();
    let forgeries: Vec<(&str, Forge)> = vec![
        (
            "alg none",
            Box::new(|nonce| {
                let claims = serde_json::to_value(hostile.claims(nonce, now)).unwrap();
                format!("{}.{}.", b64(&json!({"alg": "none"})), b64(&claims))
            }),
        ),
        (
            "HS256 keyed with the client secret",
            Box::new(|nonce| hostile.hmac_signed(nonce, now, CLIENT_SECRET)),
        ),
        (
            "HS256 keyed with the provider's public key (PEM)",
            Box::new(|nonce| hostile.hmac_signed(nonce, now, &hostile.public[0])),
        ),
        (
            "HS256 keyed with the provider's published JWKS",
            Box::new(|nonce| hostile.hmac_signed(nonce, now, &hostile.public[1])),
        ),
        (
            "signed by a key it does not publish",
            Box::new(|nonce| {
                CoreIdToken::new(
                    hostile.claims(nonce, now),
                    &hostile.unpublished,
                    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
                    None,
                    None,
                )
                .unwrap()
                .to_string()
            }),
        ),
        (
            "payload changed after signing",
            Box::new(|nonce| {
                let token = hostile.sign(hostile.claims(nonce, now));
                let parts: Vec<&str> = token.split('.').collect();
                let mut claims = serde_json::to_value(hostile.claims(nonce, now)).unwrap();
                claims["sub"] = json!("someone-else");
                format!("{}.{}.{}", parts[0], b64(&claims), parts[2])
            }),
        ),
        (
            "another issuer",
            Box::new(|nonce| {
                hostile.sign(
                    hostile
                        .claims(nonce, now)
                        .set_issuer(IssuerUrl::new("https://evil.example".into()).unwrap()),
                )
            }),
        ),
        (
            "another audience",
            Box::new(|nonce| {
                hostile.sign(
                    hostile
                        .claims(nonce, now)
                        .set_audiences(vec![Audience::new("another-app".into())]),
                )
            }),
        ),
        (
            "an extra untrusted audience",
            Box::new(|nonce| {
                hostile.sign(hostile.claims(nonce, now).set_audiences(vec![
                    Audience::new(CLIENT_ID.into()),
                    Audience::new("another-app".into()),
                ]))
            }),
        ),
        (
            "expired",
            Box::new(|nonce| {
                let at = |t: i64| chrono::DateTime::from_timestamp(t, 0).unwrap();
                hostile.sign(hostile.claims(nonce, now).set_expiration(at(now - 1)))
            }),
        ),
        (
            "issued in the future",
            Box::new(|nonce| {
                let at = |t: i64| chrono::DateTime::from_timestamp(t, 0).unwrap();
                hostile.sign(
                    hostile
                        .claims(nonce, now)
                        .set_issue_time(at(now + 3600))
                        .set_expiration(at(now + 7200)),
                )
            }),
        ),
        (
            "another sign-in's nonce",
            Box::new(|_| hostile.sign(hostile.claims("another-nonce", now))),
        ),
        ("no nonce", Box::new(|nonce| hostile.sign(hostile.claims(nonce, now).set_nonce(None)))),
        ("not a JWT", Box::new(|_| "not-a-jwt".into())),
    ];
    for (what, forge) in &forgeries {
        let (state, nonce) = start(&app).await;
        let outcome = callback(&app, &hostile, &state, forge(&nonce)).await;
        assert_eq!(outcome, ("sso_error".into(), "sso_failed".into()), "{what}");
    }
    // No forgery made an account.
    let rows: Vec<(i64,)> = sqlx::query_as("SELECT COUNT(*) FROM sso_links")
        .fetch_all(&app.pool().await)
        .await
        .unwrap();
    assert_eq!(rows[0].0, 0);
    // The same, well made: signed in, its MFA counted.
    let (state, nonce) = start(&app).await;
    let (key, code) =
        callback(&app, &hostile, &state, hostile.sign(hostile.claims(&nonce, now))).await;
    assert_eq!(key, "sso", "{code}");
    let res = app.post("/v1/sessions/sso", json!({"code": code})).await;
    let session: Value = res.json().await.unwrap();
    assert_eq!(session["account"]["username"], "forged.person@contoso.example");
    assert_eq!(session["next"], "ready");
}
