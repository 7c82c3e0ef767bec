use std::process::Command;

use app_passwords_server::config::Config;
use app_passwords_server::demo;
use app_passwords_server::startup::Application;
use serde_json::{json, Value};

pub const NEW_USER: (&str, &str) = ("new.user@contoso.example", "Demo-new-2026");
pub const NO_MFA: (&str, &str) = ("no.mfa@contoso.example", "Demo-nomfa-2026");
pub const NO_APPPW: (&str, &str) = ("no.apppw@contoso.example", "Demo-noapppw-2026");

pub struct TestApp {
    pub base: String,
    /// The example portal's base URL, when the config asked for it.
    pub portal: Option<String>,
    pub http: reqwest::Client,
    pub dir: tempfile::TempDir,
}

/// Starts the real server on a free loopback port with a fresh SQLite database and
/// the demo accounts.
pub async fn spawn_app() -> TestApp {
    spawn_with(|_| {}).await
}

pub async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(dir.path());
    tweak(&mut config);
    let app = Application::build(config).await.expect("server builds");
    demo::seed(app.db()).await.unwrap();
    let base = format!("http://{}", app.local_addr().unwrap());
    let portal = app.portal_addr().map(|a| format!("http://{a}"));
    tokio::spawn(app.run_until_stopped());
    TestApp { base, portal, http: reqwest::Client::new(), dir }
}

/// A signed-in client.
pub struct User<'a> {
    pub app: &'a TestApp,
    pub token: String,
    pub session: Value,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        self.http.post(self.url(path)).json(&body).send().await.unwrap()
    }

    pub async fn sign_in(&self, (user, pass): (&str, &str)) -> User<'_> {
        let res = self.post("/v1/sessions", json!({"username": user, "password": pass})).await;
        assert_eq!(res.status(), 201, "sign-in of {user}");
        let session: Value = res.json().await.unwrap();
        User { app: self, token: session["token"].as_str().unwrap().to_owned(), session }
    }

    /// Runs SQL on the server's database (to move time, or to look at what is stored).
    pub async fn sql(&self, statement: &str) {
        sqlx::query(statement).execute(&self.pool().await).await.unwrap();
    }

    pub async fn pool(&self) -> sqlx::SqlitePool {
        sqlx::SqlitePool::connect(&format!(
            "sqlite://{}",
            self.dir.path().join("test.db").display()
        ))
        .await
        .unwrap()
    }

    /// The newest code in the demo outbox.
    /// The demo outbox, newest message first.
    pub async fn outbox(&self) -> Value {
        self.http.get(self.url("/v1/demo/outbox")).send().await.unwrap().json().await.unwrap()
    }

    pub async fn last_code(&self) -> String {
        let outbox = self.outbox().await;
        let body = outbox[0]["body"].as_str().expect("a message in the outbox");
        let digits: String = body.chars().filter(char::is_ascii_digit).take(6).collect();
        assert_eq!(digits.len(), 6, "{body}");
        digits
    }

    pub async fn legacy(&self, user: &str, password: &str) -> reqwest::Response {
        self.http
            .get(self.url("/v1/legacy/whoami"))
            .basic_auth(user, Some(password))
            .send()
            .await
            .unwrap()
    }
}

impl User<'_> {
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut req = self.app.http.request(method, self.app.url(path)).bearer_auth(&self.token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send().await.unwrap()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.send(reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    /// POSTs `body` to a path that creates something; asserts 201 and returns the JSON.
    pub async fn create(&self, path: &str, body: Value) -> Value {
        let res = self.post(path, body).await;
        assert_eq!(res.status(), 201, "POST {path}");
        res.json().await.unwrap()
    }

    pub async fn delete(&self, path: &str) -> reqwest::Response {
        self.send(reqwest::Method::DELETE, path, None).await
    }

    /// Enrolls an authenticator app, verified with oathtool; returns the base32 key.
    pub async fn enroll_totp(&self) -> String {
        let res = self.post("/v1/mfa/enrollments", json!({"kind": "totp"})).await;
        assert_eq!(res.status(), 201);
        let e: Value = res.json().await.unwrap();
        let secret = e["secret"].as_str().unwrap().to_owned();
        let id = e["id"].as_str().unwrap();
        let res = self
            .post(&format!("/v1/mfa/enrollments/{id}/verify"), json!({"code": totp(&secret, 0)}))
            .await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        secret
    }

    /// Creates an app password; returns (id, password).
    pub async fn create_app_password(&self, name: &str) -> (String, String) {
        let res = self.post("/v1/app-passwords", json!({"name": name})).await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        let v: Value = res.json().await.unwrap();
        (v["id"].as_str().unwrap().to_owned(), v["password"].as_str().unwrap().to_owned())
    }
}

/// The TOTP code `offset` steps from now, from an independent implementation (oathtool).
pub fn totp(secret: &str, offset: i64) -> String {
    let at = time::OffsetDateTime::now_utc().unix_timestamp() + offset * 30;
    let out = Command::new("oathtool")
        .args(["--totp", "-b", "-N", &format!("@{at}"), secret])
        .output()
        .expect("oathtool is installed by `make test` (Debian package oathtool)");
    assert!(out.status.success(), "oathtool: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

pub async fn problem(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    assert_eq!(res.headers()["content-type"], "application/problem+json", "status {status}");
    let body: Value = res.json().await.unwrap();
    // RFC 9457 members every problem document of ours carries, whatever the error.
    for member in ["type", "title", "status", "detail", "code", "request_id"] {
        assert!(body.get(member).is_some(), "{member} missing from {body}");
    }
    assert_eq!(body["status"], status);
    (status, body)
}
