//! The contract, checked against the running server: the served OpenAPI document is
//! valid OpenAPI 3.1 (openapi-spec-validator), and schemathesis, with every check and
//! its stateful phase, finds nothing the server does that the document does not say,
//! signed in with a session that proved MFA and stays signed in throughout
//! (tests/contract/hooks.py: the helpdesk's operations act on another account; the
//! SCIM door's take its own secret).

use std::process::Stdio;

use crate::common::*;

const CONTRACT_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/contract");

/// The virtualenv `make test` installs schemathesis and the validator into.
fn venv_bin(tool: &str) -> String {
    let venv = std::env::var("APP_TEST_SCHEMATHESIS").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../.tools/schemathesis").to_owned()
    });
    format!("{venv}/bin/{tool}")
}

async fn run(tool: &str, args: &[&str], env: &[(&str, String)]) -> (bool, String) {
    let out = tokio::process::Command::new(venv_bin(tool))
        .args(args)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .current_dir(CONTRACT_DIR)
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap_or_else(|e| panic!("{tool}: {e} (is it installed? `scripts/tools.sh test`)"));
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

/// Runs schemathesis (every check, the stateful phase too) against a fresh server,
/// with `args` added; fails with its report when it finds anything. The served document
/// is checked to be valid OpenAPI first.
async fn schemathesis(args: &[&str]) {
    // Limits are the server's own business, tested in attacks.rs; here they would only
    // turn most of the generated requests into 429s.
    let app = spawn_with(|c| {
        let l = &mut c.limits;
        l.signin_per_account = 1_000_000;
        l.signin_per_address = 1_000_000;
        l.legacy_per_address = 1_000_000;
        l.legacy_per_client = 1_000_000;
        l.legacy_per_account = 1_000_000;
        l.challenges_per_hour = 1_000_000;
        l.enrollments_per_hour = 1_000_000;
        l.sends_per_account = 1_000_000;
        l.sends_per_destination = 1_000_000;
        // Wrong codes by the thousand would lock the person's MFA, and a locked person
        // changes no method: Security info's routes would answer only 403.
        l.mfa_lockout = 1_000_000;
    })
    .await;
    let served = app.url("/v1/openapi.json");
    let document = app.dir.path().join("openapi.json");
    let text = app.http.get(&served).send().await.unwrap().text().await.unwrap();
    std::fs::write(&document, text).unwrap();
    let (valid, report) = run("openapi-spec-validator", &[document.to_str().unwrap()], &[]).await;
    assert!(valid, "the served document is not valid OpenAPI:\n{report}");

    // The suite runs on both stores, each with its own seed and half the examples of
    // the fuzzing phase (`--max-examples`; the coverage phase's boundary cases, run on
    // both, are the same each time): together they send as many distinct requests as
    // one pass of 100 did, and each store meets every operation and every boundary
    // case (measured here: 65 s → 53 s a pass, 7,389 → 5,778 requests on SQLite).
    let postgres = std::env::var("TEST_POSTGRES_URL").is_ok();
    let seed = std::env::var("CONTRACT_SEED")
        .unwrap_or_else(|_| if postgres { "2" } else { "1" }.to_owned());
    let env = [
        ("CONTRACT_BASE", app.base.clone()),
        ("CONTRACT_CLOCK", app.clock.now().to_string()),
        ("CONTRACT_MAIL_SECRET", app.mail_server_secret()),
        ("CONTRACT_ADMIN_CREDENTIAL", app.admin_credential("portal")),
        ("CONTRACT_SCIM_SECRET", app.scim_secret()),
        ("PYTHONPATH", CONTRACT_DIR.to_owned()),
        ("NO_COLOR", "1".to_owned()),
    ];
    let mut all = vec!["--config-file", "schemathesis.toml", "run", &served];
    all.extend(["--checks", "all", "--seed", &seed, "--max-examples", "50"]);
    all.extend(args);
    let (passed, report) = run("st", &all, &env).await;
    let summary =
        report.lines().rev().find(|l| l.contains("generated")).unwrap_or_default().to_owned();
    eprintln!("schemathesis {args:?} (seed {seed}): {}", summary.trim());
    assert!(passed && !report.contains("Errors:") && !report.contains("Failures:"), "{report}");
    // Every operation was reached with a live session: none answered only 401/403 (the
    // person's session ended mid-run before the hooks kept the helpdesk off it).
    assert!(!report.contains("Authentication failed"), "the session died mid-run:\n{report}");
}

#[tokio::test]
async fn the_server_does_what_its_openapi_document_says() {
    schemathesis(&[]).await;
}
