//! The example admin portal (`examples/portal/`) on its own origin: a host page that
//! embeds the module from the built bundle (served under `/app-passwords/`) and calls
//! this endpoint cross-origin. Its CSP is the strict one a careful portal would send:
//! no inline style, no inline script but the one that starts the module's wasm with the
//! page (allowed by its hash), WebAssembly allowed, API calls to the endpoint only.

use std::sync::Arc;

use axum::extract::Query;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::config::Config;

/// The portal's routes; `endpoint` is the identity endpoint's origin, written into the
/// page where it says `%ENDPOINT%`; `own` the portal's own origin as `localhost` (its
/// redirect URI at the organization's provider, when it signs its users in there).
pub fn router(config: &Config, endpoint: &str, own: &str) -> anyhow::Result<Router> {
    let sso = PortalSso::new(config, endpoint, own)?.map(Arc::new);
    let sign_in = match sso {
        Some(_) => {
            r#"<a class="portal-sso" href="/sign-in">Sign in to the portal with your organization</a>"#
        }
        None => "",
    };
    let start = Start::read(&config.static_dir)?;
    let page = |name: &str| -> anyhow::Result<Arc<str>> {
        let path = config.portal_dir.join(name);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        Ok(text
            .replace("%ENDPOINT%", endpoint)
            .replace("%PORTAL_SSO%", sign_in)
            .replace("%START%", &start.script)
            .replace("%PRELOAD%", &start.preload)
            .into())
    };
    let index = page("index.html")?;
    // The Users page (the helpdesk's view), when the portal has one.
    let users = page("users.html").ok();
    let helpdesk = Arc::new(Helpdesk::new(config, endpoint));
    let csp = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{}; style-src 'self'; \
         img-src 'self' data:; connect-src 'self' {endpoint}; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        start.allowed
    );
    let serve = |text: Arc<str>| {
        move || {
            let text = text.clone();
            async move { Html(text.to_string()).into_response() }
        }
    };
    let router = match sso {
        Some(sso) => {
            let (start, back, session) = (sso.clone(), sso.clone(), sso);
            Router::new()
                .route("/sign-in", get(move || async move { start.start().await }))
                .route(
                    "/callback",
                    get(move |q: Query<Callback>| async move { back.callback(q.0).await }),
                )
                .route(
                    "/session",
                    get(move |headers: HeaderMap| async move { session.session(&headers) }),
                )
        }
        None => Router::new(),
    };
    Ok(router
        .route("/", get(serve(index.clone())))
        .route("/index.html", get(serve(index)))
        .route(
            "/users.html",
            match users {
                Some(users) => get(serve(users)),
                None => get(|| async { axum::http::StatusCode::NOT_FOUND }),
            },
        )
        .route(
            "/helpdesk-token",
            axum::routing::post(move || {
                let helpdesk = helpdesk.clone();
                async move { helpdesk.token().await }
            }),
        )
        .nest_service(
            "/app-passwords",
            tower::ServiceBuilder::new()
                .layer(axum::middleware::from_fn(super::assets::cache))
                .service(super::assets::service(&config.static_dir)),
        )
        .fallback_service(ServeDir::new(&config.portal_dir))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(&csp)?,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        // The module's files set their own (immutable when content-hashed).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        )))
}

/// The example portal's back end for its Users page: it holds an admin credential (the
/// first of `APP_ADMIN_CREDENTIALS_FILE`, or the demo's) and mints an admin token for its
/// signed-in operator by calling the endpoint, as a real portal's back end would. The
/// browser gets the token, never the credential.
struct Helpdesk {
    endpoint: String,
    credential: Option<String>,
    http: reqwest::Client,
}

impl Helpdesk {
    fn new(config: &Config, endpoint: &str) -> Self {
        let file = config.admin_credentials_file.clone().or_else(|| {
            config.demo.then(|| crate::credentials::admin::DEMO_CREDENTIALS_FILE.into())
        });
        let text = file.and_then(|f| std::fs::read_to_string(f).ok()).unwrap_or_default();
        let credential = crate::credentials::admin::first_secret(&text).map(str::to_owned);
        Self { endpoint: endpoint.to_owned(), credential, http: reqwest::Client::new() }
    }

    async fn token(&self) -> axum::response::Response {
        let Some(credential) = &self.credential else {
            return (StatusCode::SERVICE_UNAVAILABLE, "no admin credential configured")
                .into_response();
        };
        let minted = self
            .http
            .post(format!("{}/v1/admin/sessions", self.endpoint))
            .bearer_auth(credential)
            .json(&serde_json::json!({ "actor": "IT Helpdesk (example portal)" }))
            .send()
            .await;
        match minted {
            Ok(res) if res.status().is_success() => match res.text().await {
                Ok(body) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
                Err(_) => StatusCode::BAD_GATEWAY.into_response(),
            },
            _ => StatusCode::BAD_GATEWAY.into_response(),
        }
    }
}

/// What the provider appends to the portal's redirect URI.
#[derive(serde::Deserialize)]
struct Callback {
    code: Option<String>,
    state: Option<String>,
}

/// The example portal's own sign-in at the organization's provider, as a portal's back
/// end does it: its own confidential client there (the authorization code flow with
/// PKCE), asking an access token for this endpoint as a resource (RFC 8707), which it
/// exchanges at `POST /v1/token` (RFC 8693) with its admin credential for a session of
/// the module; its page hands that to the element (`element.sessionToken`, portal.js).
/// The person's browser holds a cookie of the portal's own, never a token; the portal
/// keeps them in memory (an example: a restart signs everyone out).
struct PortalSso {
    issuer: String,
    client_id: String,
    secret: String,
    redirect_uri: String,
    /// The endpoint as the provider knows it (its public URL).
    resource: String,
    helpdesk: Helpdesk,
    /// Sign-ins in flight: state → PKCE verifier.
    pending: std::sync::Mutex<std::collections::HashMap<String, String>>,
    /// The portal's sessions: cookie → the person's name and the module's session token.
    sessions: std::sync::Mutex<std::collections::HashMap<String, PortalSession>>,
}

/// The portal's session cookie.
const COOKIE: &str = "portal_session";

impl PortalSso {
    fn new(config: &Config, endpoint: &str, own: &str) -> anyhow::Result<Option<Self>> {
        let (Some(client_id), Some(issuer)) =
            (&config.portal_sso_client_id, &config.sso.sso_issuer)
        else {
            return Ok(None);
        };
        let file = config.portal_sso_client_secret_file.as_ref().ok_or_else(|| {
            anyhow::anyhow!("APP_PORTAL_SSO_CLIENT_ID needs APP_PORTAL_SSO_CLIENT_SECRET_FILE")
        })?;
        let text = std::fs::read_to_string(file).map_err(|e| {
            anyhow::anyhow!("APP_PORTAL_SSO_CLIENT_SECRET_FILE {}: {e}", file.display())
        })?;
        let secret = text.lines().next().unwrap_or_default().trim().to_owned();
        anyhow::ensure!(
            !secret.is_empty(),
            "APP_PORTAL_SSO_CLIENT_SECRET_FILE {} is empty",
            file.display()
        );
        let resource = config.public_url.clone().unwrap_or_else(|| format!("{endpoint}/"));
        Ok(Some(Self {
            issuer: issuer.trim_end_matches('/').to_owned(),
            client_id: client_id.clone(),
            secret,
            redirect_uri: format!("{own}/callback"),
            resource,
            helpdesk: Helpdesk::new(config, endpoint),
            pending: Default::default(),
            sessions: Default::default(),
        }))
    }

    /// The provider's endpoint named `name` in its discovery document.
    async fn discovered(&self, name: &str) -> Option<String> {
        let url = format!("{}/.well-known/openid-configuration", self.issuer);
        let doc: serde_json::Value =
            self.helpdesk.http.get(url).send().await.ok()?.json().await.ok()?;
        doc[name].as_str().map(str::to_owned)
    }

    /// `GET /sign-in`: to the provider.
    async fn start(&self) -> Response {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        use base64::Engine as _;
        use sha2::Digest as _;
        let Some(authorize) = self.discovered("authorization_endpoint").await else {
            return (StatusCode::BAD_GATEWAY, "the provider cannot be reached").into_response();
        };
        let random = || URL_SAFE_NO_PAD.encode(crate::crypto::random_bytes(32));
        let (state, verifier) = (random(), random());
        let challenge = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
        let params = [
            ("response_type", "code"),
            ("client_id", &self.client_id),
            ("redirect_uri", &self.redirect_uri),
            ("scope", "openid email profile"),
            ("state", &state),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("resource", &self.resource),
        ];
        let Ok(url) = url::Url::parse_with_params(&authorize, params) else {
            return StatusCode::BAD_GATEWAY.into_response();
        };
        if let Ok(mut pending) = self.pending.lock() {
            pending.insert(state, verifier);
        }
        (StatusCode::SEE_OTHER, [(header::LOCATION, url.to_string())]).into_response()
    }

    /// `GET /callback`: the provider's code exchanged for its tokens, the access token for
    /// a session of the module, kept under a new cookie of the portal's.
    async fn callback(&self, q: Callback) -> Response {
        let verifier = q.state.and_then(|s| self.pending.lock().ok()?.remove(&s));
        let (Some(code), Some(verifier)) = (q.code, verifier) else {
            return (StatusCode::BAD_REQUEST, "no sign-in of this portal's").into_response();
        };
        let Some(token_url) = self.discovered("token_endpoint").await else {
            return (StatusCode::BAD_GATEWAY, "the provider cannot be reached").into_response();
        };
        let form = [
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &self.redirect_uri),
            ("code_verifier", &verifier),
        ];
        let tokens = self
            .helpdesk
            .http
            .post(token_url)
            .basic_auth(&self.client_id, Some(&self.secret))
            .form(&form)
            .send()
            .await;
        let tokens: Option<serde_json::Value> = match tokens {
            Ok(res) if res.status().is_success() => res.json().await.ok(),
            _ => None,
        };
        let Some(access) = tokens.as_ref().and_then(|t| t["access_token"].as_str()) else {
            return (StatusCode::BAD_GATEWAY, "the provider gave no access token").into_response();
        };
        let Some(session) = self.exchange(access).await else {
            return (StatusCode::BAD_GATEWAY, "the endpoint did not hand the person over")
                .into_response();
        };
        let name = tokens.as_ref().and_then(|t| name_in(t["id_token"].as_str()?));
        let cookie = crate::credentials::sso::new_state();
        let cookie = secrecy::ExposeSecret::expose_secret(&cookie).to_owned();
        if let Ok(mut sessions) = self.sessions.lock() {
            sessions.insert(cookie.clone(), PortalSession { name, token: session });
        }
        let set = format!("{COOKIE}={cookie}; Path=/; HttpOnly; SameSite=Lax");
        (StatusCode::SEE_OTHER, [(header::LOCATION, "/".to_owned()), (header::SET_COOKIE, set)])
            .into_response()
    }

    /// The person's token from the provider, exchanged at the endpoint (RFC 8693) with
    /// the portal's admin credential: the module's session token.
    async fn exchange(&self, subject: &str) -> Option<String> {
        let credential = self.helpdesk.credential.as_ref()?;
        let form = [
            ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
            ("subject_token", subject),
            ("subject_token_type", "urn:ietf:params:oauth:token-type:access_token"),
        ];
        let url = format!("{}/v1/token", self.helpdesk.endpoint);
        let res = self.helpdesk.http.post(url).bearer_auth(credential).form(&form).send().await;
        let answer: serde_json::Value =
            res.ok().filter(|r| r.status().is_success())?.json().await.ok()?;
        answer["access_token"].as_str().map(str::to_owned)
    }

    /// `GET /session`: the module's session token of the portal's signed-in person (its
    /// page hands it to the element), `404` when none.
    fn session(&self, headers: &HeaderMap) -> Response {
        let cookie = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .find_map(|c| c.trim().strip_prefix(COOKIE)?.strip_prefix('=').map(str::to_owned));
        let token = cookie.and_then(|c| self.sessions.lock().ok()?.get(&c).cloned());
        match token {
            Some(token) => (
                [(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "no-store")],
                serde_json::json!({ "token": token.token, "name": token.name }).to_string(),
            )
                .into_response(),
            None => StatusCode::NOT_FOUND.into_response(),
        }
    }
}

/// A person signed in to the example portal.
#[derive(Clone)]
struct PortalSession {
    /// Their name for the portal's header (the ID token's `name`).
    name: Option<String>,
    /// The module's session token.
    token: String,
}

/// The `name` claim of an ID token the portal received straight from the provider's token
/// endpoint (OpenID Connect Core §3.1.3.7: the connection vouches for it; the portal only
/// shows it, it grants nothing by it).
fn name_in(id_token: &str) -> Option<String> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    let payload = URL_SAFE_NO_PAD.decode(id_token.split('.').nth(1)?).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&payload).ok()?;
    claims["name"].as_str().map(str::to_owned)
}

/// What a host does to start the module with its own page rather than after the element
/// (docs/embedding.md), named as the bundle's manifest (`app-passwords.json`, written by
/// scripts/dist.sh) says today. No manifest (a portal beside no build): nothing, the
/// element loads its files itself.
#[derive(Default)]
struct Start {
    /// `%START%`, first in the page's head: the wasm fetched by the page as its parser
    /// reaches it, a promise the element takes by the file's name
    /// (`self.appPasswordsFetched`, src/embed/stand-in.js). Not a
    /// `<link rel="preload" as="fetch">`: WebKit fetches that twice (the element's
    /// `fetch` does not take it: e2e embedding.rs counts the downloads in every engine).
    script: String,
    /// `%PRELOAD%`: the JS glue as a module preload.
    preload: String,
    /// What the CSP's `script-src` adds for the script: its hash (no `'unsafe-inline'`).
    allowed: String,
}

impl Start {
    fn read(static_dir: &std::path::Path) -> anyhow::Result<Self> {
        use base64::Engine as _;
        use sha2::Digest as _;
        let path = static_dir.join("app-passwords.json");
        let Ok(text) = std::fs::read_to_string(&path) else { return Ok(Self::default()) };
        let manifest: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{}: not the bundle's manifest: {e}", path.display()))?;
        let name = |key: &str| {
            manifest["app"][key]
                .as_str()
                .filter(|n| {
                    !n.is_empty()
                        && n.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
                })
                .ok_or_else(|| anyhow::anyhow!("{}: no file name at app.{key}", path.display()))
        };
        let (js, wasm) = (name("js")?, name("wasm")?);
        let code = format!("self.appPasswordsFetched={{'{wasm}':fetch('/app-passwords/{wasm}')}}");
        let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&code));
        Ok(Self {
            script: format!("<script>{code}</script>"),
            preload: format!(r#"<link rel="modulepreload" href="/app-passwords/{js}">"#),
            allowed: format!(" 'sha256-{hash}'"),
        })
    }
}
