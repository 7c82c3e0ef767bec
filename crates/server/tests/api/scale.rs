//! Several replicas, as an operator runs them: real server processes on one database
//! (PostgreSQL in the suite's second pass), requests alternating between them, one
//! replica crashing mid-load, one stopped gracefully, the database going away and
//! coming back, and the metrics an operator scrapes.

use futures::future::join_all;
use serde_json::{json, Value};

use crate::common::*;

struct Client {
    http: reqwest::Client,
    token: String,
}

impl Client {
    async fn post(&self, base: &str, path: &str, body: Value) -> reqwest::Response {
        self.http
            .post(format!("{base}{path}"))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }
}

async fn sign_in(http: &reqwest::Client, base: &str) -> Client {
    let res = http
        .post(format!("{base}/v1/sessions"))
        .json(&json!({"username": NEW_USER.0, "password": NEW_USER.1}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let token = res.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    Client { http: http.clone(), token }
}

fn oathtool(secret: &str, offset_steps: i64) -> String {
    totp_at(secret, time::OffsetDateTime::now_utc().unix_timestamp() + offset_steps * 30)
}

#[tokio::test]
async fn two_replica_processes_agree_and_a_crash_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(dir.path()).await;
    let env = [("APP_PASSWORD_LIMIT", "12"), ("APP_SIGNIN_ACCOUNT_LIMIT", "3")];
    let (mut a, a_base) = ServerProcess::start(dir.path(), &url, &env).await;
    let (_b, b_base) = ServerProcess::start(dir.path(), &url, &env).await;
    let bases = [a_base.clone(), b_base.clone()];
    let http = reqwest::Client::new();

    // Signed in on A, enrolled on B, proven on A: one session, whichever replica.
    let mut user = sign_in(&http, &a_base).await;
    let e: Value = user
        .post(&b_base, "/v1/mfa/enrollments", json!({"kind": "totp"}))
        .await
        .json()
        .await
        .unwrap();
    let secret = e["secret"].as_str().unwrap().to_owned();
    let path = format!("/v1/mfa/enrollments/{}/verify", e["id"].as_str().unwrap());
    let v: Value = user
        .post(&a_base, &path, json!({"code": oathtool(&secret, 0)}))
        .await
        .json()
        .await
        .unwrap();
    user.token = v["token"].as_str().unwrap().to_owned();

    // One fresh TOTP code (the next step's, within the ±1 window) raced on both: one wins.
    let again = sign_in(&http, &b_base).await;
    let method = v["method"]["id"].clone();
    let c: Value = again
        .post(&a_base, "/v1/mfa/challenges", json!({"method_id": method}))
        .await
        .json()
        .await
        .unwrap();
    let path = format!("/v1/mfa/challenges/{}/verify", c["id"].as_str().unwrap());
    let code = oathtool(&secret, 1);
    let raced = (0..10).map(|n| {
        let (again, path, code, base) = (&again, &path, &code, &bases[n % 2]);
        async move { again.post(base, path, json!({"code": code})).await.status().as_u16() }
    });
    let statuses = join_all(raced).await;
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");

    // The same Idempotency-Key on A then B: one app password, the same answer.
    let create = |base: &str, key: &str, name: &str| {
        user.http
            .post(format!("{base}/v1/app-passwords"))
            .bearer_auth(&user.token)
            .header("Idempotency-Key", key)
            .json(&json!({"name": name}))
            .send()
    };
    let first: Value = create(&a_base, "k-1", "Outlook").await.unwrap().json().await.unwrap();
    let second: Value = create(&b_base, "k-1", "Outlook").await.unwrap().json().await.unwrap();
    assert_eq!(first, second);

    // Creates alternating A/B at once while A crashes: every create acknowledged with
    // 201 is there afterwards, and the limit (12) holds across both.
    let burst = (0..20).map(|n| {
        let base = bases[n % 2].clone();
        let create = &create;
        async move {
            let res = create(&base, &format!("burst-{n}"), &format!("burst {n}")).await;
            match res {
                Ok(res) if res.status() == 201 => {
                    Some(res.json::<Value>().await.ok()?["id"].as_str()?.to_owned())
                }
                _ => None,
            }
        }
    });
    let (acknowledged, ()) = tokio::join!(join_all(burst), async {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        a.kill();
    });
    let acknowledged: Vec<String> = acknowledged.into_iter().flatten().collect();
    let list: Value = user
        .http
        .get(format!("{b_base}/v1/app-passwords"))
        .bearer_auth(&user.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let held: Vec<&str> =
        list["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    for id in &acknowledged {
        assert!(held.contains(&id.as_str()), "acknowledged {id} lost");
    }
    assert!(held.len() <= 12, "the limit held across replicas: {}", held.len());

    // Throttles add up across replicas: 3 wrong passwords spread over A (dead now) and B.
    for _ in 0..3 {
        http.post(format!("{b_base}/v1/sessions"))
            .json(&json!({"username": NO_MFA.0, "password": "x"}))
            .send()
            .await
            .unwrap();
    }
    let res = http
        .post(format!("{b_base}/v1/sessions"))
        .json(&json!({"username": NO_MFA.0, "password": NO_MFA.1}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
}

#[tokio::test]
async fn sigterm_lets_the_requests_in_flight_finish() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(dir.path()).await;
    let env = [("APP_HASH_CONCURRENCY", "1"), ("APP_HASH_QUEUE_MS", "30000")];
    let (mut server, base) = ServerProcess::start(dir.path(), &url, &env).await;
    let http = reqwest::Client::new();
    let sign_ins = (0..12).map(|n| {
        let base = &base;
        async move {
            let res = client_at(n)
                .post(format!("{base}/v1/sessions"))
                .json(&json!({"username": format!("u{n}@contoso.example"), "password": "x"}))
                .send()
                .await;
            res.map(|r| r.status().as_u16()).map_err(|e| e.to_string())
        }
    });
    let watch = async {
        // Once every sign-in has reached the server (answered, or still queued for the one
        // hasher) and some are still held, stop it. On a busy machine the first ones may be
        // answered before the last arrive, so arrivals are what is counted.
        let value = |text: &str, prefix: &str| -> i64 {
            text.lines()
                .filter(|l| l.starts_with(prefix))
                .filter_map(|l| l.rsplit(' ').next()?.parse::<i64>().ok())
                .sum()
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while std::time::Instant::now() < deadline {
            let text =
                http.get(format!("{base}/metrics")).send().await.unwrap().text().await.unwrap();
            let held = value(&text, "app_passwords_hash_waiting ")
                + value(&text, "app_passwords_hash_in_flight ");
            let answered = value(&text, "app_passwords_sign_ins_total{");
            if held >= 1 && held + answered >= 12 {
                server.terminate();
                return;
            }
            assert!(
                answered < 12,
                "every sign-in was answered before one could be caught in flight"
            );
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        panic!("the sign-ins never reached the server");
    };
    let (answers, ()) = tokio::join!(join_all(sign_ins), watch);
    for answer in &answers {
        assert_eq!(answer, &Ok(401), "every request in flight got its answer: {answers:?}");
    }
    assert_eq!(server.exit_code().await, Some(0), "a clean exit");
}

#[tokio::test]
#[ignore = "PostgreSQL only: make test's second pass (scripts/pg.sh) runs it"]
async fn the_database_going_away_is_a_503_and_the_server_recovers_when_it_returns() {
    // Its own PostgreSQL cluster, stopped and started under the server's feet.
    let _ = require_postgres();
    let cluster = tempfile::tempdir().unwrap();
    let pg = |verb: &str| {
        let out =
            std::process::Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/pg.sh"))
                .args([verb, cluster.path().join("pg").to_str().unwrap()])
                .output()
                .unwrap();
        assert!(out.status.success(), "pg.sh {verb}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    std::fs::set_permissions(cluster.path(), std::os::unix::fs::PermissionsExt::from_mode(0o711))
        .unwrap();
    let server = pg("start");
    let app = spawn_with(|c| c.database_url = format!("{server}/postgres")).await;
    let user = app.sign_in(NEW_USER).await;

    pg("stop");
    let started = std::time::Instant::now();
    let res = user.get("/v1/account").await;
    assert!(res.headers().contains_key("retry-after"));
    let (status, body) = problem(res).await;
    assert_eq!((status, body["code"].as_str()), (503, Some("unavailable")));
    assert!(started.elapsed().as_secs() < 10, "answered, not hung: {:?}", started.elapsed());
    let (status, _) = problem(app.http.get(app.url("/v1/health")).send().await.unwrap()).await;
    assert_eq!(status, 503, "not ready without its database");
    assert_eq!(app.http.get(app.url("/v1/live")).send().await.unwrap().status(), 200, "but alive");

    pg("resume");
    let mut status = 0;
    for _ in 0..100 {
        status = user.get("/v1/account").await.status().as_u16();
        if status == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200, "recovered by itself, same session");
    pg("remove");
}

#[tokio::test]
async fn metrics_count_a_journey_and_name_nobody() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    app.post("/v1/sessions", json!({"username": NEW_USER.0, "password": "wrong"})).await;
    let secret = user.enroll_totp().await;
    let (_, password) = user.create_app_password("Outlook").await;
    assert_eq!(app.legacy(NEW_USER.0, &password).await.status(), 200);
    assert_eq!(app.legacy(NEW_USER.0, "wrongwrongwrongw").await.status(), 401);
    let again = app.sign_in(NEW_USER).await;
    let method = again.session["account"]["methods"][0]["id"].clone();
    let c = again.create("/v1/mfa/challenges", json!({"method_id": method})).await;
    let wrong = if app.totp(&secret, 0) == "000000" { "111111" } else { "000000" };
    again
        .post(
            &format!("/v1/mfa/challenges/{}/verify", c["id"].as_str().unwrap()),
            json!({"code": wrong}),
        )
        .await;

    let res = app.http.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    for line in [
        "app_passwords_sign_ins_total{result=\"success\"} 2",
        "app_passwords_sign_ins_total{result=\"invalid\"} 1",
        "app_passwords_legacy_verifications_total{result=\"valid\"} 1",
        "app_passwords_legacy_verifications_total{result=\"invalid\"} 1",
        "app_passwords_mfa_failures_total 1",
        "app_passwords_requests_total{method=\"POST\",route=\"/v1/app-passwords\",status=\"201\"} 1",
        "app_passwords_db_pool_connections{state=\"idle\"}",
        "app_passwords_hash_waiting 0",
    ] {
        assert!(text.contains(line), "{line} missing from:\n{text}");
    }
    assert!(text.contains("app_passwords_request_duration_seconds_bucket"), "latency histograms");
    for private in [NEW_USER.0, password.as_str(), "127.0.0.1", user.token().as_str()] {
        assert!(!text.contains(private), "{private} in the metrics");
    }
    // Not for everyone: from an address the operator did not allow, it does not exist.
    let app2 = spawn_with(|c| c.metrics_allow = vec!["10.0.0.0/8".parse().unwrap()]).await;
    assert_eq!(app2.http.get(app2.url("/metrics")).send().await.unwrap().status(), 404);
}
