//! Deliveries through real peers on loopback: an SMTP server (aiosmtpd) and an HTTP
//! gateway.

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::routing::post;
use serde_json::{json, Value};

use crate::common::*;

struct Smtpd(Child);

impl Drop for Smtpd {
    fn drop(&mut self) {
        let _ = self.0.kill();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// aiosmtpd (installed by `make test` into .tools/py) writing to a Maildir.
async fn start_smtpd(maildir: &std::path::Path) -> (Smtpd, u16) {
    let port = free_port();
    let pythonpath = std::env::var("APP_TEST_PYTHONPATH")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../.tools/py").to_owned());
    let child = Command::new("python3")
        .args([
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
            "-c",
            "aiosmtpd.handlers.Mailbox",
        ])
        .arg(maildir)
        .env("PYTHONPATH", pythonpath)
        .stdout(Stdio::null())
        .spawn()
        .expect("python3 runs aiosmtpd");
    let smtpd = Smtpd(child);
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return (smtpd, port);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("aiosmtpd did not start on port {port}; is it installed (`scripts/tools.sh test`)?");
}

fn read_maildir(maildir: &std::path::Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else { return vec![] };
    entries.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok()).collect()
}

#[tokio::test]
async fn an_email_code_travels_over_real_smtp_and_verifies() {
    let mail = tempfile::tempdir().unwrap();
    let maildir = mail.path().join("Maildir");
    let (_smtpd, port) = start_smtpd(&maildir).await;
    let app = spawn_with(|c| {
        c.demo = false;
        c.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
    })
    .await;
    let user = app.sign_in(NEW_USER).await;
    let res = user
        .post("/v1/mfa/enrollments", json!({"kind": "email", "email": "nora@example.com"}))
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let e: Value = res.json().await.unwrap();

    let mut messages = vec![];
    for _ in 0..100 {
        messages = read_maildir(&maildir);
        if !messages.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(messages.len(), 1);
    let mail = &messages[0];
    assert!(mail.contains("To: nora@example.com"), "{mail}");
    assert!(mail.contains("Subject: Your Contoso verification code"));
    let body = mail.split("\r\n\r\n").nth(1).or_else(|| mail.split("\n\n").nth(1)).unwrap();
    let code: String = body.chars().filter(char::is_ascii_digit).take(6).collect();
    let res = user
        .post(
            &format!("/v1/mfa/enrollments/{}/verify", e["id"].as_str().unwrap()),
            json!({"code": code}),
        )
        .await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn text_codes_go_to_the_configured_http_gateway() {
    let got: Arc<Mutex<Vec<Value>>> = Arc::default();
    let sink = got.clone();
    let gateway = axum::Router::new().route(
        "/send",
        post(move |axum::Json(v): axum::Json<Value>| {
            let sink = sink.clone();
            async move {
                sink.lock().unwrap().push(v);
                "queued"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, gateway).await });

    let app = spawn_with(|c| {
        c.demo = false;
        c.sms_gateway_url = Some(format!("http://127.0.0.1:{port}/send"));
    })
    .await;
    let user = app.sign_in(NEW_USER).await;
    let res =
        user.post("/v1/mfa/enrollments", json!({"kind": "voice", "phone": "+33612345678"})).await;
    assert_eq!(res.status(), 201);
    let sent = got.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["channel"], "voice");
    assert_eq!(sent[0]["to"], "+33612345678");
    assert!(sent[0]["message"].as_str().unwrap().contains("verification code"));
}

#[tokio::test]
async fn a_code_that_cannot_be_sent_is_a_502_problem_and_leaves_nothing_behind() {
    let app = spawn_with(|c| {
        c.demo = false;
        c.sms_gateway_url = Some(format!("http://127.0.0.1:{}/down", free_port()));
    })
    .await;
    let user = app.sign_in(NEW_USER).await;
    let (status, body) = problem(
        user.post("/v1/mfa/enrollments", json!({"kind": "sms", "phone": "+33612345678"})).await,
    )
    .await;
    assert_eq!((status, body["code"].as_str()), (502, Some("delivery_failed")));
    let n: (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM proofs").fetch_one(&app.pool().await).await.unwrap();
    assert_eq!(n.0, 0);
}
