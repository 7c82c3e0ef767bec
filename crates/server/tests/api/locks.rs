//! PostgreSQL locks what each rule is about: a rule about one person waits for another
//! rule about that person, never for one about somebody else (a SCIM group's change is
//! about its members); a rule about everything (sealing old keys at start, a change to
//! a group of more than 256) waits for all and holds all off, the sweep included.
//! The lock a slow rule would hold is held here by a connection of the test's own,
//! and what waits is read from `pg_locks`, not from a clock.

use std::time::Duration;

use app_passwords_server::credentials::argon2;
use app_passwords_server::domain::accounts::Username;
use app_passwords_server::store::accounts::NewAccount;
use app_passwords_server::store::audit::By;
use app_passwords_server::store::scim::PolicyGroups;
use app_passwords_server::store::{lock_key, INVARIANT_LOCK};
use secrecy::SecretString;
use serde_json::json;
use sqlx::Connection;

use crate::common::*;

/// Long enough for anything that does not wait to have finished: a hang detector.
pub(crate) const HANG: Duration = Duration::from_secs(60);

/// Another person like Nora (MFA required, nothing registered yet).
async fn bea(app: &TestApp) -> (&'static str, &'static str) {
    like_nora(app, "bea.other@contoso.example", "Bea-other-2026").await
}

/// A person like Nora (MFA required, nothing registered yet) named `name`.
pub(crate) async fn like_nora(
    app: &TestApp,
    name: &'static str,
    password: &'static str,
) -> (&'static str, &'static str) {
    let username = Username::parse(name).unwrap();
    let hash = argon2::hash(&SecretString::from(password)).unwrap();
    let policy = wire::Policy { mfa_required: true, ..wire::Policy::default() };
    let new = NewAccount {
        username: &username,
        display_name: name,
        password_hash: &hash,
        policy: &policy,
    };
    app.store.create_account(new).await.unwrap().unwrap();
    (name, password)
}

/// Nora's and Bea's account ids (Bea made here).
async fn nora_and_bea(app: &TestApp) -> (String, String) {
    bea(app).await;
    (account_id(app, NEW_USER.0).await, account_id(app, "bea.other@contoso.example").await)
}

pub(crate) async fn account_id(app: &TestApp, name: &str) -> String {
    app.store.account_by_username_str(name).await.unwrap().unwrap().id
}

/// Advisory locks that are asked for in the test's own database and not granted yet
/// (`pg_locks` shows the whole server's: the other tests' too, which run alongside).
async fn waiting(app: &TestApp) -> i64 {
    let pool = app.pool().await;
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted \
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    )
    .fetch_one(&pool)
    .await
    .unwrap()
}

/// Waits until `n` advisory locks are waited for (a request has reached its rule).
pub(crate) async fn until_waiting(app: &TestApp, n: i64) {
    let started = std::time::Instant::now();
    while waiting(app).await != n {
        assert!(started.elapsed() < HANG, "no rule came to wait for the lock held");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A transaction on `conn` holding what a rule about `account` holds (`None`: a rule
/// about everything), as `store::Store::begin` takes it.
pub(crate) async fn rule_about<'c>(
    conn: &'c mut sqlx::AnyConnection,
    account: Option<&str>,
) -> sqlx::Transaction<'c, sqlx::Any> {
    let mut tx = conn.begin().await.unwrap();
    let query = match account {
        Some(id) => {
            sqlx::query("SELECT pg_advisory_xact_lock_shared($1), pg_advisory_xact_lock($2)")
                .bind(INVARIANT_LOCK)
                .bind(lock_key("account", id))
        }
        None => sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(INVARIANT_LOCK),
    };
    query.execute(&mut *tx).await.unwrap();
    tx
}

/// Creates an app password named `name` with `token`, in a task of its own.
fn create(app: &TestApp, token: String, name: &str) -> tokio::task::JoinHandle<u16> {
    let (http, url, body) = (app.http.clone(), app.url("/v1/app-passwords"), json!({"name": name}));
    tokio::spawn(async move {
        http.post(url).bearer_auth(token).json(&body).send().await.unwrap().status().as_u16()
    })
}

#[tokio::test]
#[ignore = "PostgreSQL only: SQLite runs one rule at a time by design"]
async fn a_rule_about_one_person_waits_only_for_rules_about_that_person() {
    let _ = require_postgres();
    let app = spawn_app().await;
    let bea = bea(&app).await;
    let (nora, bea) = (app.sign_in(NEW_USER).await, app.sign_in(bea).await);
    nora.enroll_totp().await;
    bea.enroll_totp().await;
    let nora_id = account_id(&app, NEW_USER.0).await;
    let mut held = sqlx::AnyConnection::connect(&app.database_url).await.unwrap();

    // A rule about Nora is running (its locks held by the test's connection).
    let tx = rule_about(&mut held, Some(&nora_id)).await;
    // Bea's create does not wait for it; Nora's does, until it ends.
    let bea_created = tokio::time::timeout(HANG, create(&app, bea.token(), "Mail")).await;
    assert_eq!(bea_created.expect("Bea's create waited for a rule about Nora").unwrap(), 201);
    // Nor does an enrollment of hers (a key's: passkeys.rs).
    let enrolled = tokio::time::timeout(HANG, bea.enroll_totp()).await;
    enrolled.expect("Bea's enrollment waited for a rule about Nora");
    let nora_creates = create(&app, nora.token(), "Mail");
    until_waiting(&app, 1).await;
    assert!(!nora_creates.is_finished());
    tx.commit().await.unwrap();
    assert_eq!(tokio::time::timeout(HANG, nora_creates).await.unwrap().unwrap(), 201);

    // A rule about everything is running: both wait for it.
    let tx = rule_about(&mut held, None).await;
    let (b, n) = (create(&app, bea.token(), "Phone"), create(&app, nora.token(), "Phone"));
    until_waiting(&app, 2).await;
    assert!(!b.is_finished() && !n.is_finished());
    tx.commit().await.unwrap();
    assert_eq!(tokio::time::timeout(HANG, b).await.unwrap().unwrap(), 201);
    assert_eq!(tokio::time::timeout(HANG, n).await.unwrap().unwrap(), 201);
    assert_eq!(waiting(&app).await, 0);
}

#[tokio::test]
#[ignore = "PostgreSQL only: the fallback to one rule at a time"]
async fn with_global_locks_every_rule_waits_for_every_other() {
    let _ = require_postgres();
    let app = spawn_with(|c| c.pg_locks = app_passwords_server::config::PgLocks::Global).await;
    let bea = bea(&app).await;
    let bea = app.sign_in(bea).await;
    bea.enroll_totp().await;
    let nora_id = account_id(&app, NEW_USER.0).await;
    let mut held = sqlx::AnyConnection::connect(&app.database_url).await.unwrap();
    let tx = rule_about(&mut held, Some(&nora_id)).await;
    let b = create(&app, bea.token(), "Mail");
    until_waiting(&app, 1).await;
    assert!(!b.is_finished());
    tx.commit().await.unwrap();
    assert_eq!(tokio::time::timeout(HANG, b).await.unwrap().unwrap(), 201);
}

/// What the person changes of their own (a method's name, their password) and what the
/// helpdesk does to one person wait only for rules about that person.
#[tokio::test]
#[ignore = "PostgreSQL only: SQLite runs one rule at a time by design"]
async fn their_own_changes_and_the_helpdesks_wait_only_for_rules_about_that_person() {
    use reqwest::Method;
    let _ = require_postgres();
    let app = spawn_app().await;
    let bea_login = bea(&app).await;
    let (nora, bea) = (app.sign_in(NEW_USER).await, app.sign_in(bea_login).await);
    nora.enroll_totp().await;
    bea.enroll_totp().await;
    let method_of = async |user: &User<'_>| {
        let account: serde_json::Value = user.get("/v1/account").await.json().await.unwrap();
        account["account"]["methods"][0]["id"].as_str().unwrap().to_owned()
    };
    let (nora_method, bea_method) = (method_of(&nora).await, method_of(&bea).await);
    let portal = app.admin_token("portal").await;
    let mut held = sqlx::AnyConnection::connect(&app.database_url).await.unwrap();

    // A rule about Nora is running: Bea renames her method and changes her password, and
    // the helpdesk unlocks her verification, meanwhile.
    let tx = rule_about(&mut held, Some(&account_id(&app, NEW_USER.0).await)).await;
    let path = format!("/v1/mfa/methods/{bea_method}/name");
    let renamed = bea.send(Method::PUT, &path, Some(json!({"name": "Phone"})));
    let renamed = tokio::time::timeout(HANG, renamed).await.expect("waited for a rule about Nora");
    assert_eq!(renamed.status(), 200);
    let body =
        json!({"current_password": bea_login.1, "new_password": "Tangerine-Harbour-Violet-91"});
    let changed = tokio::time::timeout(HANG, bea.post("/v1/account/password", body)).await;
    assert_eq!(changed.expect("waited for a rule about Nora").status(), 200);
    let unlock = format!("/v1/admin/users/{}/unlock-mfa", bea_login.0);
    let unlocked =
        tokio::time::timeout(HANG, app.admin(Method::POST, &unlock, &portal, None)).await;
    assert_eq!(unlocked.expect("waited for a rule about Nora").status(), 200);

    // Nora's rename waits until it ends.
    let (http, url, token) =
        (app.http.clone(), app.url(&format!("/v1/mfa/methods/{nora_method}/name")), nora.token());
    let nora_renames = tokio::spawn(async move {
        let req = http.put(url).bearer_auth(token).json(&json!({"name": "Phone"}));
        req.send().await.unwrap().status().as_u16()
    });
    until_waiting(&app, 1).await;
    assert!(!nora_renames.is_finished());
    tx.commit().await.unwrap();
    assert_eq!(tokio::time::timeout(HANG, nora_renames).await.unwrap().unwrap(), 200);
}

/// Rules that learn their person by reading (a notice's link, a provider's hand-off
/// code), a directory person's sign-in, a person provisioned and the sweep wait only for
/// rules about their person (the sweep for none, but a rule about everything).
#[tokio::test]
#[ignore = "PostgreSQL only: SQLite runs one rule at a time by design"]
async fn links_hand_offs_directory_people_new_people_and_the_sweep_wait_only_for_their_own() {
    use app_passwords_server::domain::directory::{DirectoryStatus, Person};
    use app_passwords_server::store::directory::Synced;
    use app_passwords_server::store::notices::Noticed;
    use app_passwords_server::store::scim::NewPerson;
    use secrecy::ExposeSecret;
    let _ = require_postgres();
    let app = spawn_app().await;
    let (nora_id, bea_id) = nora_and_bea(&app).await;
    let store = &app.store;
    let by = By { credential: "cli", actor: "test", from: "cli" };
    let groups = PolicyGroups { mfa: None, app_passwords_off: None };
    let ada = Person {
        id: "3f1c0c5e-ada".into(),
        dn: "uid=ada,ou=people,dc=contoso,dc=example".into(),
        username: Username::parse("ada.lovelace@contoso.example").unwrap(),
        display_name: "Ada Lovelace".into(),
        status: DirectoryStatus::Active,
        password_changed: None,
        mfa_required: true,
        app_passwords_allowed: true,
    };
    let grace = Username::parse("grace.hopper@contoso.example").unwrap();
    let grace = NewPerson {
        username: &grace,
        display_name: "Grace Hopper",
        password_hash: "",
        external_id: Some("hr-1906"),
        active: true,
    };
    let mut held = sqlx::AnyConnection::connect(&app.database_url).await.unwrap();

    // A rule about Nora is running: none of these about others waits for it.
    let tx = rule_about(&mut held, Some(&nora_id)).await;
    let token = store.open_notice(&bea_id, Noticed::MethodChange, "m", "Phone").await.unwrap();
    let disowned = tokio::time::timeout(HANG, store.disown(token.expose_secret())).await;
    assert!(disowned.expect("waited for a rule about Nora").is_ok(), "Bea's notice link");
    let code = store.hand_off(&bea_id, None).await.unwrap();
    let handed = tokio::time::timeout(HANG, store.redeem_hand_off(code.expose_secret())).await;
    let handed = handed.expect("waited for a rule about Nora").unwrap().unwrap();
    assert_eq!(handed.account.id, bea_id);
    for asked_ms in [1_000, 2_000] {
        // Met for the first time, then again (a rule about her account then).
        let synced = tokio::time::timeout(HANG, store.sync_person(&ada, asked_ms)).await;
        let synced = synced.expect("a directory person waited for a rule about Nora").unwrap();
        assert!(matches!(synced, Synced::Account(_)), "Ada's sign-in");
    }
    let provisioned = tokio::time::timeout(HANG, store.provision_new(&grace, groups, by)).await;
    assert!(provisioned.expect("waited for Nora").is_ok(), "Grace's provisioning");
    let swept = tokio::time::timeout(HANG, store.sweep()).await;
    assert!(swept.expect("the sweep waited for a rule about Nora").is_ok(), "the sweep");

    // Nora's notice link and hand-off wait until it ends, and then work.
    let token = store.open_notice(&nora_id, Noticed::MethodChange, "m", "Phone").await.unwrap();
    let code = store.hand_off(&nora_id, None).await.unwrap();
    let (s1, s2) = (store.clone(), store.clone());
    let disown = tokio::spawn(async move { s1.disown(token.expose_secret()).await.is_ok() });
    let redeem =
        tokio::spawn(
            async move { s2.redeem_hand_off(code.expose_secret()).await.unwrap().is_some() },
        );
    until_waiting(&app, 2).await;
    assert!(!disown.is_finished() && !redeem.is_finished());
    tx.commit().await.unwrap();
    assert!(tokio::time::timeout(HANG, disown).await.unwrap().unwrap());
    assert!(tokio::time::timeout(HANG, redeem).await.unwrap().unwrap());

    // A rule about everything (sealing old keys at start) is running: the sweep waits.
    let tx = rule_about(&mut held, None).await;
    let s = store.clone();
    let sweep = tokio::spawn(async move { s.sweep().await.is_ok() });
    until_waiting(&app, 1).await;
    assert!(!sweep.is_finished());
    tx.commit().await.unwrap();
    assert!(tokio::time::timeout(HANG, sweep).await.unwrap().unwrap());
}

/// A SCIM group's change is about the group, its names and its members: a group of
/// others is made, renamed (its members' policies follow) and emptied while a rule about
/// Nora runs; adding Nora to it waits until that rule ends, and so does deleting it.
#[tokio::test]
#[ignore = "PostgreSQL only: SQLite runs one rule at a time by design"]
async fn a_groups_change_waits_only_for_rules_about_its_members() {
    use app_passwords_server::domain::scim::{GroupDoc, GroupPatch, Members};
    let _ = require_postgres();
    let app = spawn_app().await;
    let (nora_id, bea_id) = nora_and_bea(&app).await;
    let store = &app.store;
    let by = By { credential: "scim", actor: "test", from: "scim" };
    let groups = PolicyGroups { mfa: None, app_passwords_off: Some("No app passwords") };
    let allowed = async |id: &str| {
        let account = store.account_by_id(id).await.unwrap().unwrap();
        account.app_passwords_allowed
    };
    let mut held = sqlx::AnyConnection::connect(&app.database_url).await.unwrap();

    let tx = rule_about(&mut held, Some(&nora_id)).await;
    let doc = GroupDoc {
        display_name: "Finance".into(),
        external_id: None,
        members: vec![bea_id.clone()],
    };
    let made = tokio::time::timeout(HANG, store.create_group(&doc, groups, by)).await;
    let group = made.expect("waited for a rule about Nora").unwrap().0.id;
    let renamed =
        GroupPatch { display_name: Some("No app passwords".into()), ..GroupPatch::default() };
    let done = tokio::time::timeout(HANG, store.change_group(&group, &renamed, groups, by)).await;
    assert!(done.expect("waited for a rule about Nora").unwrap().0.is_some());
    assert!(!allowed(&bea_id).await, "Bea followed her group's new name");
    let emptied = GroupPatch { members: vec![Members::Replace(vec![])], ..GroupPatch::default() };
    let done = tokio::time::timeout(HANG, store.change_group(&group, &emptied, groups, by)).await;
    assert!(done.expect("waited for a rule about Nora").unwrap().0.is_some());
    assert!(allowed(&bea_id).await, "Bea followed her leaving it");

    // Adding Nora waits for the rule about her, and then she follows.
    let change = |patch: GroupPatch| {
        let (store, group) = (store.clone(), group.clone());
        tokio::spawn(async move { store.change_group(&group, &patch, groups, by).await.is_ok() })
    };
    let add = change(GroupPatch {
        members: vec![Members::Add(vec![nora_id.clone()])],
        ..GroupPatch::default()
    });
    until_waiting(&app, 1).await;
    assert!(!add.is_finished());
    tx.commit().await.unwrap();
    assert!(tokio::time::timeout(HANG, add).await.unwrap().unwrap());
    assert!(!allowed(&nora_id).await, "Nora follows the group she was added to");

    // Deleting the group she is in waits too.
    let tx = rule_about(&mut held, Some(&nora_id)).await;
    let (s, g) = (store.clone(), group.clone());
    let delete = tokio::spawn(async move { s.delete_group(&g, groups, by).await.unwrap().0 });
    until_waiting(&app, 1).await;
    assert!(!delete.is_finished());
    tx.commit().await.unwrap();
    assert!(tokio::time::timeout(HANG, delete).await.unwrap().unwrap());
    assert!(allowed(&nora_id).await, "Nora follows her group's deletion");
}

/// A change to a group of more people than one rule locks one by one is about
/// everything: it waits for a rule about anyone, is done when that ends, and takes no
/// member's lock (locking each would fill PostgreSQL's shared lock table and fail every
/// rule).
#[tokio::test]
#[ignore = "PostgreSQL only: SQLite runs one rule at a time by design"]
async fn a_change_to_a_large_group_is_about_everyone() {
    use app_passwords_server::domain::scim::{GroupDoc, GroupPatch};
    let _ = require_postgres();
    let app = spawn_app().await;
    let policy = wire::Policy::default();
    let mut members = Vec::new();
    for n in 0..300 {
        let username = Username::parse(&format!("person{n}@contoso.example")).unwrap();
        let new = NewAccount {
            username: &username,
            display_name: "",
            password_hash: "",
            policy: &policy,
        };
        members.push(app.store.create_account(new).await.unwrap().unwrap());
    }
    let nora_id = account_id(&app, NEW_USER.0).await;
    let mut held = sqlx::AnyConnection::connect(&app.database_url).await.unwrap();
    let tx = rule_about(&mut held, Some(&nora_id)).await;
    let doc = GroupDoc { display_name: "Everyone".into(), external_id: None, members };
    let store = app.store.clone();
    let by = By { credential: "scim", actor: "test", from: "scim" };
    let groups = PolicyGroups { mfa: None, app_passwords_off: Some("Everyone") };
    let first = doc.members[0].clone();
    let made = tokio::spawn(async move { store.create_group(&doc, groups, by).await });
    until_waiting(&app, 1).await;
    assert!(!made.is_finished());
    tx.commit().await.unwrap();
    let group = tokio::time::timeout(HANG, made).await.unwrap().unwrap().unwrap().0.id;

    // Holding everything, it takes no member's lock one by one: with a member's key
    // alone held (no rule does that; it shows what the change asks for), its rename and
    // its deletion are done all the same.
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(lock_key("account", &first))
        .execute(&mut held)
        .await
        .unwrap();
    let renamed = GroupPatch { display_name: Some("All".into()), ..GroupPatch::default() };
    let done = tokio::time::timeout(HANG, app.store.change_group(&group, &renamed, groups, by));
    assert!(done.await.expect("took a member's lock").unwrap().0.is_some());
    let done = tokio::time::timeout(HANG, app.store.delete_group(&group, groups, by));
    assert!(done.await.expect("took a member's lock").unwrap().0);
}
