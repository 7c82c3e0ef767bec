use std::process::Command;
use std::sync::{Arc, Mutex};

use app_passwords_server::clock::Clock;
use app_passwords_server::config::Config;
use app_passwords_server::credentials::argon2::HashStats;
use app_passwords_server::demo;
use app_passwords_server::startup::Application;
use app_passwords_server::store::Store;
use serde_json::{json, Value};

pub const NEW_USER: (&str, &str) = demo::NEW_USER.credentials();
pub const NO_MFA: (&str, &str) = demo::NO_MFA.credentials();
pub const NO_APPPW: (&str, &str) = demo::NO_APP_PASSWORDS.credentials();

pub struct TestApp {
    pub base: String,
    /// The example portal's base URL, when the config asked for it.
    pub portal: Option<String>,
    pub http: reqwest::Client,
    pub dir: tempfile::TempDir,
    /// The server's clock: tests move it instead of waiting.
    pub clock: Clock,
    /// The database this server runs on (SQLite file, or a fresh PostgreSQL database).
    pub database_url: String,
    pub hashes: Arc<HashStats>,
    /// The server's own store (to sweep, or look at what is stored).
    pub store: Store,
}

/// Where a test's manual clock starts: a fixed instant in the middle of a TOTP step.
pub const START: i64 = 1_790_000_015;

/// Starts the real server on a free loopback port with a fresh SQLite database and
/// the demo accounts.
pub async fn spawn_app() -> TestApp {
    spawn_with(|_| {}).await
}

pub async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(dir.path());
    config.database_url = database_url(dir.path()).await;
    tweak(&mut config);
    let database_url = config.database_url.clone();
    let clock = Clock::manual(START);
    let app = Application::build_with(config, clock.clone()).await.expect("server builds");
    demo::seed(app.store()).await.unwrap();
    let base = format!("http://{}", app.local_addr().unwrap());
    let portal = app.portal_addr().map(|a| format!("http://{a}"));
    let hashes = app.hash_stats();
    let store = app.store().clone();
    tokio::spawn(app.run_until_stopped());
    TestApp { base, portal, http: reqwest::Client::new(), dir, clock, database_url, hashes, store }
}

/// Where a test's server keeps its data: a fresh database in the PostgreSQL cluster
/// `scripts/pg.sh` started when `TEST_POSTGRES_URL` is set (the suite's second pass),
/// else an SQLite file in the test's folder.
pub async fn database_url(dir: &std::path::Path) -> String {
    let Ok(server) = std::env::var("TEST_POSTGRES_URL") else {
        return format!("sqlite://{}", dir.join("test.db").display());
    };
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let name = format!("t_{}", app_passwords_server::crypto::random_hex(8));
    let mut admin = sqlx::AnyConnection::connect(&format!("{server}/postgres")).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.unwrap();
    format!("{server}/{name}")
}

/// The PostgreSQL cluster of the suite's second pass. A PostgreSQL-only test is
/// `#[ignore = "PostgreSQL only: …"]` (the SQLite pass reports it ignored, never passed)
/// and calls this first: run by hand without a cluster, it fails saying how to run it.
pub fn require_postgres() -> String {
    std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| {
        panic!(
            "this test needs PostgreSQL: run it through scripts/pg.sh, as `make test-pg` does \
             (scripts/pg.sh run cargo test -p app-passwords-server --test api -- --include-ignored)"
        )
    })
}

/// A signed-in client. Its token changes when it proves MFA, as the server rotates it.
pub struct User<'a> {
    pub app: &'a TestApp,
    token: Mutex<String>,
    pub session: Value,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        self.http.post(self.url(path)).json(&body).send().await.unwrap()
    }

    /// A user whose session came another way (single sign-on).
    pub fn user(&self, session: Value) -> User<'_> {
        let token = Mutex::new(session["token"].as_str().unwrap().to_owned());
        User { app: self, token, session }
    }

    pub async fn sign_in(&self, (user, pass): (&str, &str)) -> User<'_> {
        let res = self.post("/v1/sessions", json!({"username": user, "password": pass})).await;
        assert_eq!(res.status(), 201, "sign-in of {user}");
        let session: Value = res.json().await.unwrap();
        let token = Mutex::new(session["token"].as_str().unwrap().to_owned());
        User { app: self, token, session }
    }

    /// The TOTP code `offset` steps from the server's clock, from oathtool.
    pub fn totp(&self, secret: &str, offset: i64) -> String {
        totp_at(secret, self.clock.now() + offset * 30)
    }

    /// Runs SQL on the server's database (to move time, or to look at what is stored).
    pub async fn sql(&self, statement: &str) {
        sqlx::query(statement).execute(&self.pool().await).await.unwrap();
    }

    pub async fn pool(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&self.database_url).await.unwrap()
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

    /// The secret of admin credential `name` (Config::for_tests made `portal`, every
    /// scope, and `reader`, read only).
    pub fn admin_credential(&self, name: &str) -> String {
        let text = std::fs::read_to_string(self.dir.path().join("admin.credentials")).unwrap();
        let line = text.lines().find(|l| l.starts_with(&format!("{name} "))).unwrap();
        line.rsplit(' ').next().unwrap().to_owned()
    }

    /// An admin token of credential `name` for the helpdesk's `jane@helpdesk`.
    pub async fn admin_token(&self, name: &str) -> String {
        let res = self
            .http
            .post(self.url("/v1/admin/sessions"))
            .bearer_auth(self.admin_credential(name))
            .json(&json!({"actor": "jane@helpdesk"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        res.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
    }

    /// An admin call: `method` on `path` with `token`, and `body` when given.
    pub async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut req = self.http.request(method, self.url(path)).bearer_auth(token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send().await.unwrap()
    }

    /// The shared secret this server's mail servers send (Config::for_tests made it).
    pub fn mail_server_secret(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("mail-server.secret")).unwrap()
    }

    /// The secret this server's SCIM clients send (Config::for_tests made it).
    pub fn scim_secret(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("scim.secret")).unwrap().trim().to_owned()
    }

    /// What a mail server asks of `POST /v1/legacy/verify` for a client at `client`.
    pub async fn verify_for(
        &self,
        http: &reqwest::Client,
        (user, password): (&str, &str),
        protocol: &str,
        client: &str,
    ) -> reqwest::Response {
        http.post(self.url("/v1/legacy/verify"))
            .bearer_auth(self.mail_server_secret())
            .json(&json!({"username": user, "password": password, "protocol": protocol, "client": client}))
            .send()
            .await
            .unwrap()
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
    pub fn token(&self) -> String {
        self.token.lock().unwrap().clone()
    }

    /// Takes the rotated token of a successful verification, as the app does.
    pub fn rotated(&self, verified: &Value) {
        *self.token.lock().unwrap() = verified["token"].as_str().expect("a new token").to_owned();
    }

    /// POSTs a code to a verify path; on 200 switches to the rotated token.
    pub async fn verify(&self, path: &str, code: &str) -> reqwest::Response {
        let res = self.post(path, json!({"code": code})).await;
        if res.status() != 200 {
            return res;
        }
        let body: Value = res.json().await.unwrap();
        self.rotated(&body);
        let mut rebuilt = axum::http::Response::builder().status(200);
        rebuilt = rebuilt.header("content-type", "application/json");
        reqwest::Response::from(rebuilt.body(body.to_string()).unwrap())
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut req = self.app.http.request(method, self.app.url(path)).bearer_auth(self.token());
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
            .verify(&format!("/v1/mfa/enrollments/{id}/verify"), &self.app.totp(&secret, 0))
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

pub use app_passwords_test_support::totp_at;

/// A client whose connections come from loopback address number `n` (127.0.x.y, from
/// 127.0.0.2 up): many clients, many addresses, as an attacker with a botnet has.
pub fn client_at(n: u32) -> reqwest::Client {
    let [_, _, c, d] = (n / 250 * 256 + n % 250 + 2).to_be_bytes();
    let addr = std::net::Ipv4Addr::new(127, 0, c, d);
    reqwest::Client::builder().local_address(std::net::IpAddr::V4(addr)).build().unwrap()
}

/// The status and problem `code` (empty for a success) of a response.
pub async fn outcome(res: reqwest::Response) -> (u16, String) {
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    (status, body["code"].as_str().unwrap_or_default().to_owned())
}

/// How many of `outcomes` are exactly `(status, code)`.
pub fn count(outcomes: &[(u16, String)], status: u16, code: &str) -> usize {
    outcomes.iter().filter(|(s, c)| *s == status && c == code).count()
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

/// The real server binary (`serve --demo`) as a process of its own: what an operator
/// runs, one per replica. Killed when dropped.
pub struct ServerProcess(std::process::Child);

impl ServerProcess {
    /// Starts one on a free port with `database_url`, the key in `dir` and `env`;
    /// returns it once it listens, with its base URL.
    pub async fn start(
        dir: &std::path::Path,
        database_url: &str,
        env: &[(&str, &str)],
    ) -> (Self, String) {
        use std::io::BufRead;
        // Replicas share them, as they share the key (made once, never overwritten).
        let _ = app_passwords_server::crypto::generate_secret_file(&dir.join("mail-server.secret"));
        let line = format!("portal read {}\n", app_passwords_server::crypto::random_hex(32));
        let _ =
            app_passwords_server::crypto::write_new_private(&dir.join("admin.credentials"), &line);
        let mut child = Command::new(env!("CARGO_BIN_EXE_app-passwords-server"))
            .args(["serve", "--demo", "--port", "0"])
            .env("DATABASE_URL", database_url)
            .env("APP_SECRET_KEY_FILE", dir.join("server.key"))
            // The demo would make these under ./data: the test's own folder instead.
            .env("APP_MAIL_SERVER_SECRET_FILE", dir.join("mail-server.secret"))
            .env("APP_ADMIN_CREDENTIALS_FILE", dir.join("admin.credentials"))
            .env("APP_STATIC_DIR", dir)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .envs(env.iter().copied())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let process = Self(child);
        let base = tokio::task::spawn_blocking(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let line = line.ok()?;
                if let Some(at) = line.find("listening on http://") {
                    return Some(line[at + "listening on ".len()..].trim().to_owned());
                }
            }
            None
        })
        .await
        .unwrap()
        .expect("the server binary reports its address");
        (process, base)
    }

    pub fn pid(&self) -> u32 {
        self.0.id()
    }

    /// SIGTERM, as an orchestrator stops a replica.
    pub fn terminate(&self) {
        Command::new("kill").args(["-TERM", &self.pid().to_string()]).status().unwrap();
    }

    /// SIGKILL: a crash, nothing finishes.
    pub fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }

    /// Waits for the process to end; its exit code.
    pub async fn exit_code(&mut self) -> Option<i32> {
        for _ in 0..200 {
            if let Ok(Some(status)) = self.0.try_wait() {
                return status.code();
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        None
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
