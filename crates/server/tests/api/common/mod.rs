use app_passwords_server::config::Config;
use app_passwords_server::startup::Application;

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
}

/// Starts the real server on a free loopback port with a fresh SQLite database.
pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    let app = Application::build(Config::for_tests(url)).await.expect("server builds");
    let base = format!("http://{}", app.local_addr().unwrap());
    tokio::spawn(app.run_until_stopped());
    TestApp { base, http: reqwest::Client::new(), _dir: dir }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
}
