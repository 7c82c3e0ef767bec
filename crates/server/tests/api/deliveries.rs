//! Deliveries through real peers on loopback: an SMTP server (aiosmtpd) and an HTTP
//! gateway.

use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::routing::post;
use serde_json::{json, Value};

use app_passwords_test_support::{free_port, maildir_messages, Smtpd};

use crate::common::*;

/// Enrolls `nora@example.com` on `app`, waits for the mail in `maildir`, checks its
/// headers and verifies the code it carries.
async fn email_code_arrives_and_verifies(app: &TestApp, maildir: &std::path::Path) {
    let user = app.sign_in(NEW_USER).await;
    let res = user
        .post("/v1/mfa/enrollments", json!({"kind": "email", "email": "nora@example.com"}))
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let e: Value = res.json().await.unwrap();
    let mut messages = vec![];
    for _ in 0..100 {
        messages = maildir_messages(maildir);
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
    let verify = format!("/v1/mfa/enrollments/{}/verify", e["id"].as_str().unwrap());
    assert_eq!(user.post(&verify, json!({"code": code})).await.status(), 200);
}

#[tokio::test]
async fn an_email_code_travels_over_real_smtp_and_verifies() {
    let smtpd = Smtpd::start().await;
    let port = smtpd.port;
    let app = spawn_with(|c| {
        c.demo = false;
        c.deliveries.smtp_url = Some(format!("smtp://127.0.0.1:{port}").into());
        c.public_url = Some("https://id.contoso.example/".into());
    })
    .await;
    email_code_arrives_and_verifies(&app, smtpd.maildir()).await;
    // The method registered is noticed to the account's address, with its link (read
    // back from quoted-printable, as mail goes).
    let notice = smtpd.wait_for("sign-in method was added").await;
    assert!(notice.contains("To: new.user@contoso.example"), "{notice}");
    assert!(notice.contains("Subject: A new sign-in method was added to your Contoso account"));
    let token: String = notice
        .split("https://id.contoso.example/#disown=")
        .nth(1)
        .expect("the link, to the configured page")
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    let res = app.post("/v1/notices/disown", json!({"token": token})).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
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
        c.deliveries.sms_gateway_url = Some(format!("http://127.0.0.1:{port}/send").into());
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
        c.deliveries.sms_gateway_url =
            Some(format!("http://127.0.0.1:{}/down", free_port()).into());
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

/// A test CA and a certificate it signed for `localhost` / 127.0.0.1, made by openssl.
struct Certs {
    dir: tempfile::TempDir,
}

impl Certs {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let openssl = |args: &[&str]| {
            let out = Command::new("openssl").args(args).current_dir(dir.path()).output().unwrap();
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
        openssl(
            &[
                &["req", "-x509"],
                &ec[..],
                &[
                    "-keyout",
                    "ca.key",
                    "-out",
                    "ca.pem",
                    "-days",
                    "2",
                    "-subj",
                    "/CN=app-passwords test CA",
                ],
            ]
            .concat(),
        );
        openssl(
            &[
                &["req"],
                &ec[..],
                &["-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=localhost"],
            ]
            .concat(),
        );
        std::fs::write(
            dir.path().join("leaf.ext"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        openssl(&[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "leaf.pem",
            "-days",
            "2",
            "-extfile",
            "leaf.ext",
        ]);
        Self { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }
}

/// A peer script (tests/api/peers/) under python3 with aiosmtpd on its path; waits for
/// its first line ("ready …") and returns it with the process and its output.
async fn start_peer(
    script: &str,
    args: &[String],
) -> (
    tokio::process::Child,
    String,
    tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>,
) {
    use tokio::io::AsyncBufReadExt;
    let pythonpath = std::env::var("APP_TEST_PYTHONPATH")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../.tools/py").to_owned());
    let mut child = tokio::process::Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/peers/").to_owned() + script)
        .args(args)
        .env("PYTHONPATH", pythonpath)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
        .await
        .expect("the peer starts")
        .unwrap()
        .unwrap_or_default();
    assert!(first.starts_with("ready"), "{script}: {first}");
    (child, first, lines)
}

async fn email_code_over_tls(mode: &str, scheme_and_query: fn(u16) -> String) {
    let certs = Certs::new();
    let mail = tempfile::tempdir().unwrap();
    let maildir = mail.path().join("Maildir");
    let port = free_port();
    let args = [
        port.to_string(),
        maildir.display().to_string(),
        certs.path("leaf.pem"),
        certs.path("leaf.key"),
    ];
    let args = [&args[..], &["mailer".into(), "s3cret pass".into(), mode.into()]].concat();
    let (_smtpd, _, _) = start_peer("smtp_tls.py", &args).await;
    let ca = certs.path("ca.pem");
    let url = scheme_and_query(port);
    let app = spawn_with(|c| {
        c.demo = false;
        c.deliveries.smtp_url = Some(url.into());
        c.public_url = Some("https://id.contoso.example/".into());
        c.deliveries.tls_ca_file = Some(ca.into());
    })
    .await;
    email_code_arrives_and_verifies(&app, &maildir).await;

    // Wrong credentials, or a certificate nobody vouched for: nothing is sent.
    let sent = maildir_messages(&maildir).len();
    let refused = |url: String, ca: Option<String>| async {
        let app = spawn_with(|c| {
            c.demo = false;
            c.deliveries.smtp_url = Some(url.into());
            c.public_url = Some("https://id.contoso.example/".into());
            c.deliveries.tls_ca_file = ca.map(Into::into);
        })
        .await;
        let user = app.sign_in(NEW_USER).await;
        let res = user
            .post("/v1/mfa/enrollments", json!({"kind": "email", "email": "nora@example.com"}))
            .await;
        outcome(res).await
    };
    let wrong_password = scheme_and_query(port).replace("s3cret%20pass", "guess");
    assert_eq!(
        refused(wrong_password, Some(certs.path("ca.pem"))).await,
        (502, "delivery_failed".into())
    );
    assert_eq!(refused(scheme_and_query(port), None).await, (502, "delivery_failed".into()));
    assert_eq!(maildir_messages(&maildir).len(), sent);
}

#[tokio::test]
async fn email_codes_go_over_required_starttls_with_credentials() {
    email_code_over_tls("starttls", |port| {
        format!("smtp://mailer:s3cret%20pass@localhost:{port}?tls=required")
    })
    .await;
}

#[tokio::test]
async fn email_codes_go_over_implicit_tls_with_credentials() {
    email_code_over_tls("implicit", |port| {
        format!("smtps://mailer:s3cret%20pass@localhost:{port}")
    })
    .await;
}

#[tokio::test]
async fn text_codes_reach_an_https_gateway_whose_certificate_is_checked_and_redirects_are_not_followed(
) {
    let certs = Certs::new();
    let (_gateway, ready, mut lines) =
        start_peer("https_gateway.py", &[certs.path("leaf.pem"), certs.path("leaf.key")]).await;
    let port: u16 = ready.trim_start_matches("ready ").parse().unwrap();
    let send = |path: &'static str, ca: Option<String>| async move {
        let app = spawn_with(|c| {
            c.demo = false;
            c.deliveries.sms_gateway_url = Some(format!("https://localhost:{port}{path}").into());
            c.deliveries.tls_ca_file = ca.map(Into::into);
        })
        .await;
        let user = app.sign_in(NEW_USER).await;
        outcome(
            user.post("/v1/mfa/enrollments", json!({"kind": "sms", "phone": "+33612345678"})).await,
        )
        .await
    };
    assert_eq!(send("/send", Some(certs.path("ca.pem"))).await, (201, String::new()));
    let got = lines.next_line().await.unwrap().unwrap();
    assert!(
        got.starts_with("/send ")
            && got.contains("+33612345678")
            && got.contains("verification code"),
        "{got}"
    );

    // A redirect is not followed: the code stays where it was sent, and it failed.
    assert_eq!(send("/moved", Some(certs.path("ca.pem"))).await, (502, "delivery_failed".into()));
    assert!(lines.next_line().await.unwrap().unwrap().starts_with("/moved "));
    // Without the CA the certificate is not trusted: no connection, no code.
    assert_eq!(send("/send", None).await, (502, "delivery_failed".into()));
    let nothing_more = tokio::time::timeout(Duration::from_millis(300), lines.next_line()).await;
    assert!(nothing_more.is_err(), "nothing reached the gateway: {nothing_more:?}");
}
