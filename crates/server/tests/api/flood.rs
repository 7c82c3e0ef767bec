//! A crowd of sign-ins against the real server binary: password hashing stays bounded
//! in concurrency and in memory, and every answer is a sign-in result or a 503 with
//! Retry-After, never a crash.

use futures::future::join_all;
use serde_json::json;

use crate::common::*;

/// Peak resident memory of a process, in KiB (`VmHWM` in /proc).
fn peak_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[tokio::test]
async fn two_hundred_sign_ins_at_once_keep_hashing_and_memory_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(dir.path()).await;
    let (server, base) = ServerProcess::start(dir.path(), &url, &[]).await;
    let pid = server.pid();
    // Warm up: one sign-in, so the baseline holds the first hash's memory.
    let res = reqwest::Client::new()
        .post(format!("{base}/v1/sessions"))
        .json(&json!({"username": NEW_USER.0, "password": NEW_USER.1}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let before = peak_kib(pid);

    // 200 clients from 200 addresses, known and unknown usernames, all at once.
    let flood = (0..200).map(|n| {
        let base = &base;
        async move {
            let user = if n % 2 == 0 {
                NEW_USER.0.to_owned()
            } else {
                format!("nobody{n}@contoso.example")
            };
            let res = client_at(n)
                .post(format!("{base}/v1/sessions"))
                .json(&json!({"username": user, "password": format!("wrong-{n}")}))
                .send()
                .await
                .unwrap();
            let retry = res.headers().contains_key("retry-after");
            (outcome(res).await, retry)
        }
    });
    let answers = join_all(flood).await;
    let after = peak_kib(pid);
    for ((status, code), retry) in &answers {
        assert!(
            matches!(
                (*status, code.as_str()),
                (401, "invalid_credentials") | (429, "rate_limited") | (503, "server_busy")
            ),
            "{status} {code}"
        );
        assert!(*status == 401 || *retry, "{status} without Retry-After");
    }
    let grew_mib = after.saturating_sub(before) / 1024;
    let tally = |status: u16| answers.iter().filter(|((s, _), _)| *s == status).count();
    eprintln!(
        "flood: 200 sign-ins → {} refused, {} throttled, {} busy (503); peak memory {} → {} MiB (+{grew_mib})",
        tally(401),
        tally(429),
        tally(503),
        before / 1024,
        after / 1024
    );
    assert!(grew_mib <= 200, "peak memory grew by {grew_mib} MiB under the flood");
    drop(server);
}

#[tokio::test]
async fn no_more_hashes_run_at_once_than_the_configured_slots() {
    let app = spawn_with(|c| {
        c.limits.hash_concurrency = 2;
        c.limits.hash_queue_ms = 200;
    })
    .await;
    let flood = (0..60).map(|n| {
        let app = &app;
        async move {
            let res = client_at(n)
                .post(app.url("/v1/sessions"))
                .json(&json!({"username": format!("u{n}@contoso.example"), "password": "x"}))
                .send()
                .await
                .unwrap();
            outcome(res).await
        }
    });
    let outcomes = join_all(flood).await;
    assert!(app.hashes.peak() <= 2, "peak {}", app.hashes.peak());
    assert_eq!(
        count(&outcomes, 401, "invalid_credentials") + count(&outcomes, 503, "server_busy"),
        60,
        "{outcomes:?}"
    );
    // Turned away without a check, the sign-ins spent nothing: each may try again.
    let busy = count(&outcomes, 503, "server_busy");
    assert_eq!(app.hashes.evaluations() as usize, 60 - busy);
}
