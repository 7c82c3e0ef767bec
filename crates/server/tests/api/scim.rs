//! Provisioning over SCIM 2.0, as an identity system (Entra ID, Okta) uses it: its own
//! door and secret, people found by userName or email and paged, and leavers cut off at
//! once: `active: false` or DELETE ends every session and revokes every app password in
//! the same transaction as the audit line. Attacked: every other credential at the SCIM
//! door and the SCIM secret at every other door; leavers raced with the person creating
//! app passwords; replays; bad filters and patches refused whole.

use futures::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::*;

impl TestApp {
    async fn scim_as(
        &self,
        http: &reqwest::Client,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = http
            .request(method, self.url(&format!("/scim/v2{path}")))
            .bearer_auth(self.scim_secret());
        if let Some(body) = body {
            req = req.header("content-type", "application/scim+json").body(body.to_string());
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        if status != 204 {
            assert_eq!(res.headers()["content-type"], "application/scim+json", "{path}");
        }
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn scim(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        self.scim_as(&self.http, method, path, body).await
    }

    /// The SCIM id of `username`.
    async fn scim_id(&self, username: &str) -> String {
        let (status, list) = self
            .scim(Method::GET, &format!("/Users?filter=userName%20eq%20%22{username}%22"), None)
            .await;
        assert_eq!(status, 200);
        list["Resources"][0]["id"].as_str().unwrap().to_owned()
    }
}

fn active(value: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Replace", "path": "active", "value": value}]})
}

#[tokio::test]
async fn the_scim_door_opens_to_its_own_secret_only_and_its_secret_opens_nothing_else() {
    let app = spawn_app().await;
    let others = [
        None,
        Some(app.mail_server_secret().trim().to_owned()),
        Some(app.admin_credential("portal")),
        Some(app.admin_token("portal").await),
        Some(app.scim_secret()[..31].to_owned()),
    ];
    for credential in others {
        let mut req = app.http.get(app.url("/scim/v2/Users"));
        if let Some(c) = &credential {
            req = req.bearer_auth(c);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 401, "{credential:?}");
        assert_eq!(res.headers()["www-authenticate"], "Bearer realm=\"scim\"");
        let doc: Value = res.json().await.unwrap();
        assert_eq!(doc["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");
        assert_eq!(doc["status"], "401");
    }
    // The SCIM secret at the helpdesk's and the mail servers' doors.
    let secret = app.scim_secret();
    let admin = app.admin(Method::GET, "/v1/admin/users?q=a", &secret, None).await;
    assert_eq!(admin.status(), 401);
    let mint = app
        .http
        .post(app.url("/v1/admin/sessions"))
        .bearer_auth(&secret)
        .json(&json!({"actor": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(mint.status(), 401);
    let verify = app
        .http
        .post(app.url("/v1/legacy/verify"))
        .bearer_auth(&secret)
        .json(&json!({"username": NEW_USER.0, "password": "x", "protocol": "imap", "client": "127.0.0.9"}))
        .send()
        .await
        .unwrap();
    assert_eq!(verify.status(), 401);

    // Discovery, with the secret.
    let (status, config) = app.scim(Method::GET, "/ServiceProviderConfig", None).await;
    assert_eq!(status, 200);
    assert_eq!(config["patch"]["supported"], true);
    assert_eq!(config["filter"]["maxResults"], 200);
    let (_, types) = app.scim(Method::GET, "/ResourceTypes", None).await;
    assert_eq!(types["Resources"][0]["endpoint"], "/Users");
    assert_eq!(types["Resources"][1]["endpoint"], "/Groups");
    let (_, schema) =
        app.scim(Method::GET, "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", None).await;
    assert_eq!(schema["attributes"][0]["name"], "userName");
    assert_eq!(app.scim(Method::GET, "/Schemas/urn:x", None).await.0, 404);
    assert_eq!(app.scim(Method::GET, "/Bulk", None).await.0, 404);
    // A body past the server's limit: a SCIM error document too, not the framework's text.
    let huge = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "a@b", "displayName": "x".repeat(3_000_000)});
    let (status, doc) = app.scim(Method::POST, "/Users", Some(huge)).await;
    assert_eq!((status, doc["status"].as_str()), (413, Some("413")), "{doc}");
}

#[tokio::test]
async fn people_are_found_by_user_name_or_email_and_paged_and_bad_lists_are_refused() {
    let app = spawn_app().await;
    let upper = NEW_USER.0.to_uppercase();
    let (status, found) =
        app.scim(Method::GET, &format!("/Users?filter=userName%20eq%20%22{upper}%22"), None).await;
    assert_eq!(status, 200);
    assert_eq!(found["totalResults"], 1);
    let person = &found["Resources"][0];
    assert_eq!(person["userName"], NEW_USER.0);
    assert_eq!(person["active"], true);
    assert_eq!(person["emails"][0]["value"], NEW_USER.0);
    let id = person["id"].as_str().unwrap();
    let (_, same) = app.scim(Method::GET, &format!("/Users/{id}"), None).await;
    assert_eq!(same["userName"], NEW_USER.0);
    assert!(same["meta"]["location"].as_str().unwrap().ends_with(&format!("/scim/v2/Users/{id}")));

    let (_, by_mail) = app
        .scim(Method::GET, &format!("/Users?filter=emails.value+eq+%22{}%22", NEW_USER.0), None)
        .await;
    assert_eq!(by_mail["Resources"][0]["id"], id);
    let (_, external) = app.scim(Method::GET, "/Users?filter=externalId+eq+%22x%22", None).await;
    assert_eq!(
        (external["totalResults"].as_i64(), external["Resources"].as_array().map(Vec::len)),
        (Some(0), Some(0))
    );

    let (_, all) = app.scim(Method::GET, "/Users", None).await;
    let total = all["totalResults"].as_i64().unwrap();
    assert!(total >= 4, "{all}");
    let (_, page) = app.scim(Method::GET, "/Users?startIndex=2&count=1", None).await;
    assert_eq!((page["startIndex"].as_i64(), page["itemsPerPage"].as_i64()), (Some(2), Some(1)));
    assert_eq!(page["totalResults"].as_i64(), Some(total));
    assert_eq!(page["Resources"][0]["id"], all["Resources"][1]["id"]);
    let (_, huge) = app.scim(Method::GET, "/Users?count=100000000&startIndex=-5", None).await;
    assert_eq!(
        (huge["startIndex"].as_i64(), huge["itemsPerPage"].as_i64()),
        (Some(1), Some(total))
    );

    for bad in [
        "/Users?filter=userName%20co%20%22a%22",
        "/Users?filter=userName%20eq%20%22a%22%20or%20userName%20eq%20%22b%22",
        "/Users?filter=password%20eq%20%22x%22",
        "/Users?filter=%22",
    ] {
        let (status, doc) = app.scim(Method::GET, bad, None).await;
        assert_eq!((status, doc["scimType"].as_str()), (400, Some("invalidFilter")), "{bad}");
    }
    let (status, doc) = app.scim(Method::GET, "/Users?count=ten", None).await;
    assert_eq!((status, doc["scimType"].as_str()), (400, Some("invalidValue")));
    assert_eq!(app.scim(Method::GET, "/Users/nobody", None).await.0, 404);
    assert_eq!(app.scim(Method::GET, &format!("/Users/{}", "a".repeat(5000)), None).await.0, 404);
}

#[tokio::test]
async fn a_leaver_is_cut_off_at_once_and_back_without_the_old_app_passwords() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let (_, password) = user.create_app_password("Outlook").await;
    assert_eq!(app.legacy(NEW_USER.0, &password).await.status(), 200);
    let id = app.scim_id(NEW_USER.0).await;

    // Entra ID's shape: "Replace", the value a string.
    let (status, left) =
        app.scim(Method::PATCH, &format!("/Users/{id}"), Some(active(json!("False")))).await;
    assert_eq!((status, &left["active"]), (200, &json!(false)), "{left}");
    assert_eq!(app.legacy(NEW_USER.0, &password).await.status(), 401, "refused at once");
    assert_eq!(user.get("/v1/account").await.status(), 401, "the session ended");
    let again =
        app.post("/v1/sessions", json!({"username": NEW_USER.0, "password": NEW_USER.1})).await;
    assert_ne!(again.status(), 201, "no new sign-in while inactive");

    // The audit line and the notice.
    let token = app.admin_token("reader").await;
    let res = app
        .admin(Method::GET, &format!("/v1/admin/audit?username={}", NEW_USER.0), &token, None)
        .await;
    let log: Value = res.json().await.unwrap();
    let line = &log["items"][0];
    assert_eq!(
        (line["action"].as_str(), line["credential"].as_str()),
        (Some("disable"), Some("scim"))
    );
    assert!(
        line["detail"].as_str().unwrap().contains("1 app passwords revoked: Outlook"),
        "{line}"
    );
    let outbox = app.outbox().await;
    assert!(outbox.as_array().unwrap().iter().any(|m| m["destination"] == NEW_USER.0
        && m["body"].as_str().unwrap().contains("disabled your account")));

    // Okta's shape: back, without a path. Methods kept, app passwords gone for good.
    let back = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": true}}]});
    let (status, person) = app.scim(Method::PATCH, &format!("/Users/{id}"), Some(back)).await;
    assert_eq!((status, &person["active"]), (200, &json!(true)));
    assert_eq!(app.legacy(NEW_USER.0, &password).await.status(), 401, "revoked stays revoked");
    let user = app.sign_in(NEW_USER).await;
    let account: Value = user.get("/v1/account").await.json().await.unwrap();
    assert_eq!(account["account"]["methods"].as_array().unwrap().len(), 1, "{account}");
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM app_passwords")
        .fetch_one(&app.pool().await)
        .await
        .unwrap();
    assert_eq!(kept, 0);
}

#[tokio::test]
async fn a_leaver_raced_with_the_person_making_app_passwords_leaves_none_that_works() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let id = app.scim_id(NEW_USER.0).await;
    let path = format!("/Users/{id}");
    let creates =
        (0..8).map(|n| user.post("/v1/app-passwords", json!({"name": format!("App {n}")})));
    let leavers =
        (0..8).map(|n| {
            let (app, path) = (&app, &path);
            async move {
                app.scim_as(&client_at(n), Method::PATCH, path, Some(active(json!(false)))).await
            }
        });
    let (created, left) = tokio::join!(join_all(creates), join_all(leavers));
    assert!(left.iter().all(|(status, doc)| *status == 200 && doc["active"] == false), "{left:?}");
    let mut made = Vec::new();
    for res in created {
        if res.status() == 201 {
            let v: Value = res.json().await.unwrap();
            made.push(v["password"].as_str().unwrap().to_owned());
        } else {
            assert_eq!(res.status(), 401, "a create after the leaver finds its session ended");
        }
    }
    for password in &made {
        assert_eq!(app.legacy(NEW_USER.0, password).await.status(), 401);
    }
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM app_passwords")
        .fetch_one(&app.pool().await)
        .await
        .unwrap();
    assert_eq!(rows, 0, "{} made, none kept", made.len());
}

#[tokio::test]
async fn a_deleted_person_is_gone_and_a_bad_patch_changes_nothing() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let (_, password) = user.create_app_password("Phone").await;
    let id = app.scim_id(NEW_USER.0).await;
    let path = format!("/Users/{id}");

    // A PATCH with one good and one bad operation: refused whole.
    let half = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "active", "value": false},
                       {"op": "replace", "path": "favouriteColour", "value": "x"}]});
    let (status, doc) = app.scim(Method::PATCH, &path, Some(half)).await;
    assert_eq!((status, doc["scimType"].as_str()), (400, Some("invalidPath")), "{doc}");
    for (body, scim_type) in [
        (json!({"Operations": []}), "invalidSyntax"),
        (active(json!("perhaps")), "invalidValue"),
        (json!("not a patch"), "invalidSyntax"),
    ] {
        let (status, doc) = app.scim(Method::PATCH, &path, Some(body)).await;
        assert_eq!((status, doc["scimType"].as_str()), (400, Some(scim_type)));
    }
    let res = app
        .http
        .patch(app.url(&format!("/scim/v2{path}")))
        .bearer_auth(app.scim_secret())
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(app.legacy(NEW_USER.0, &password).await.status(), 200, "nothing was applied");

    let res = app
        .http
        .delete(app.url(&format!("/scim/v2{path}")))
        .bearer_auth(app.scim_secret())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(app.legacy(NEW_USER.0, &password).await.status(), 401);
    assert_eq!(user.get("/v1/account").await.status(), 401);
    assert_eq!(app.scim(Method::GET, &path, None).await.0, 404);
    assert_eq!(app.scim(Method::DELETE, &path, None).await.0, 404, "deleted once");
    let token = app.admin_token("reader").await;
    let res = app
        .admin(Method::GET, &format!("/v1/admin/audit?username={}", NEW_USER.0), &token, None)
        .await;
    let log: Value = res.json().await.unwrap();
    assert_eq!(log["items"][0]["action"], "delete", "the log outlives the account");
}

fn user_doc(user_name: &str, extra: Value) -> Value {
    let mut doc = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name});
    for (k, v) in extra.as_object().unwrap() {
        doc[k] = v.clone();
    }
    doc
}

fn patch(ops: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
}

impl TestApp {
    /// The person's policy, as the helpdesk reads it.
    async fn policy_of(&self, username: &str) -> Value {
        let token = self.admin_token("reader").await;
        let res =
            self.admin(Method::GET, &format!("/v1/admin/users/{username}"), &token, None).await;
        assert_eq!(res.status(), 200, "{username}");
        res.json::<Value>().await.unwrap()["policy"].clone()
    }

    async fn sign_in_status(&self, username: &str, password: &str) -> u16 {
        let body = json!({"username": username, "password": password});
        self.post("/v1/sessions", body).await.status().as_u16()
    }
}

const JOINER: &str = "joiner@contoso.example";
const SYNCED: &str = "Synced-pass-2026-river";

#[tokio::test]
async fn an_identity_system_creates_people_who_sign_in_with_the_synced_password() {
    let app = spawn_app().await;
    let body = user_doc(
        &JOINER.to_uppercase(),
        json!({"externalId": "ext-1", "active": true, "password": SYNCED,
               "name": {"givenName": "Jo", "familyName": "Iner"},
               "emails": [{"value": JOINER, "primary": true}], "title": "Engineer"}),
    );
    let (status, made) = app.scim(Method::POST, "/Users", Some(body)).await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(
        (made["userName"].as_str(), made["displayName"].as_str(), made["externalId"].as_str()),
        (Some(JOINER), Some("Jo Iner"), Some("ext-1"))
    );
    assert!(made.get("password").is_none(), "write-only: {made}");
    let id = made["id"].as_str().unwrap().to_owned();
    let stored: String = sqlx::query_scalar("SELECT password_hash FROM accounts WHERE id = $1")
        .bind(&id)
        .fetch_one(&app.pool().await)
        .await
        .unwrap();
    assert!(stored.starts_with("$argon2id$") && !stored.contains(SYNCED), "kept hashed");
    assert_eq!(app.sign_in_status(JOINER, SYNCED).await, 201, "the synced password works");

    let (_, found) = app.scim(Method::GET, "/Users?filter=externalId+eq+%22ext-1%22", None).await;
    assert_eq!(found["Resources"][0]["id"], id.as_str());
    let (_, only) = app.scim(Method::GET, &format!("/Users/{id}?attributes=userName"), None).await;
    assert_eq!(only.as_object().unwrap().len(), 3, "id, schemas, userName: {only}");

    // The audit log says who made the person, in the same transaction; the helpdesk sees
    // them as managed by provisioning, and a local account not.
    let token = app.admin_token("reader").await;
    for (who, managed) in [(JOINER, Some(true)), (NEW_USER.0, None)] {
        let res = app.admin(Method::GET, &format!("/v1/admin/users/{who}"), &token, None).await;
        let seen: Value = res.json().await.unwrap();
        assert_eq!(seen["provisioned"].as_bool(), managed, "{who}");
    }
    let res =
        app.admin(Method::GET, &format!("/v1/admin/audit?username={JOINER}"), &token, None).await;
    let log: Value = res.json().await.unwrap();
    assert_eq!(
        (log["items"][0]["action"].as_str(), log["items"][0]["credential"].as_str()),
        (Some("create"), Some("scim"))
    );
}

#[tokio::test]
async fn names_and_external_ids_are_unique_even_raced_and_a_refused_change_changes_nothing() {
    let app = spawn_app().await;
    let (status, _) = app
        .scim(Method::POST, "/Users", Some(user_doc(JOINER, json!({"externalId": "ext-1"}))))
        .await;
    assert_eq!(status, 201);
    for body in [
        user_doc(&JOINER.to_uppercase(), json!({})),
        user_doc("other@contoso.example", json!({"externalId": "ext-1"})),
        user_doc(NEW_USER.0, json!({})),
    ] {
        let (status, doc) = app.scim(Method::POST, "/Users", Some(body)).await;
        assert_eq!((status, doc["scimType"].as_str()), (409, Some("uniqueness")), "{doc}");
    }

    // The same joiner sent 12 times at once (an identity system retrying): one is made.
    let racers = (0..12u32).map(|i| {
        let body = user_doc("racer@contoso.example", json!({"externalId": format!("r-{i}")}));
        let app = &app;
        async move { app.scim(Method::POST, "/Users", Some(body)).await.0 }
    });
    let mut statuses = join_all(racers).await;
    statuses.sort_unstable();
    assert_eq!(statuses, [vec![201], vec![409; 11]].concat());

    // A replacement: renamed, a new external id. Without `active`, or onto another's
    // name, refused whole.
    let id = app.scim_id(JOINER).await;
    let path = format!("/Users/{id}");
    let renamed = "joiner.renamed@contoso.example";
    let whole = |name: &str, extra: Value| user_doc(name, extra);
    let (status, doc) = app
        .scim(Method::PUT, &path, Some(whole(renamed, json!({"displayName": "Jo Renamed"}))))
        .await;
    assert_eq!((status, doc["scimType"].as_str()), (400, Some("invalidValue")), "no active");
    let taken = whole(NEW_USER.0, json!({"active": true, "displayName": "Taken Over"}));
    let (status, doc) = app.scim(Method::PUT, &path, Some(taken)).await;
    assert_eq!((status, doc["scimType"].as_str()), (409, Some("uniqueness")));
    let (_, unchanged) = app.scim(Method::GET, &path, None).await;
    assert_eq!(
        (unchanged["userName"].as_str(), unchanged["displayName"].as_str()),
        (Some(JOINER), Some(JOINER)),
        "nothing of the refused replacement stayed"
    );
    let ok =
        whole(renamed, json!({"active": true, "displayName": "Jo Renamed", "externalId": "ext-2"}));
    let (status, doc) = app.scim(Method::PUT, &path, Some(ok)).await;
    assert_eq!(status, 200, "{doc}");
    assert_eq!(
        (doc["userName"].as_str(), doc["externalId"].as_str()),
        (Some(renamed), Some("ext-2"))
    );
    let (_, gone) = app.scim(Method::GET, "/Users?filter=externalId+eq+%22ext-1%22", None).await;
    assert_eq!(gone["totalResults"], 0);

    // A password set, then removed: the person signs in only elsewhere from then on.
    let set = patch(json!([{"op": "replace", "path": "password", "value": SYNCED}]));
    assert_eq!(app.scim(Method::PATCH, &path, Some(set)).await.0, 200);
    assert_eq!(app.sign_in_status(renamed, SYNCED).await, 201);
    let removed = patch(
        json!([{"op": "remove", "path": "password"}, {"op": "remove", "path": "externalId"}]),
    );
    let (status, doc) = app.scim(Method::PATCH, &path, Some(removed)).await;
    assert_eq!(status, 200);
    assert!(doc.get("externalId").is_none(), "{doc}");
    assert_eq!(app.sign_in_status(renamed, SYNCED).await, 401);
}

/// A server whose policy groups are `MFA-Required` and `No-App-Passwords`, and the SCIM id
/// of the joiner provisioned on it.
async fn with_policy_groups() -> (TestApp, String) {
    let app = spawn_with(|c| {
        c.scim_mfa_group = Some("MFA-Required".into());
        c.scim_app_passwords_off_group = Some("No-App-Passwords".into());
    })
    .await;
    let (_, made) = app.scim(Method::POST, "/Users", Some(user_doc(JOINER, json!({})))).await;
    let id = made["id"].as_str().unwrap().to_owned();
    (app, id)
}

#[tokio::test]
async fn group_membership_sets_the_policy_and_follows_every_change() {
    let (app, id) = with_policy_groups().await;
    assert_eq!(app.policy_of(JOINER).await["mfa_required"], false, "in no MFA group yet");

    let group = |name: &str, members: &[&str]| {
        let members: Vec<Value> = members.iter().map(|m| json!({"value": m})).collect();
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
               "displayName": name, "members": members})
    };
    let (status, mfa) =
        app.scim(Method::POST, "/Groups", Some(group("mfa-required", &[&id]))).await;
    assert_eq!(status, 201, "{mfa}");
    assert_eq!(mfa["members"][0]["value"], id.as_str());
    assert_eq!(app.policy_of(JOINER).await["mfa_required"], true, "the name in any case");
    // Told as for a helpdesk's policy change, once.
    let outbox = app.outbox().await;
    let told = outbox.as_array().unwrap().iter().filter(|m| {
        m["destination"] == JOINER
            && m["body"].as_str().unwrap().contains("changed your account's sign-in settings")
    });
    assert_eq!(told.count(), 1, "{outbox}");
    let mfa_path = format!("/Groups/{}", mfa["id"].as_str().unwrap());

    // Refused whole: a taken name, an unknown member (and the known one not added).
    let (status, doc) = app.scim(Method::POST, "/Groups", Some(group("MFA-REQUIRED", &[]))).await;
    assert_eq!((status, doc["scimType"].as_str()), (409, Some("uniqueness")));
    let (status, doc) =
        app.scim(Method::POST, "/Groups", Some(group("No-App-Passwords", &[&id, "nobody"]))).await;
    assert_eq!((status, doc["scimType"].as_str()), (400, Some("invalidValue")));
    assert_eq!(app.policy_of(JOINER).await["app_passwords_allowed"], true);
    let (_, none) =
        app.scim(Method::GET, "/Groups?filter=displayName+eq+%22No-App-Passwords%22", None).await;
    assert_eq!(none["totalResults"], 0, "the refused group was not made");

    let (_, off) = app.scim(Method::POST, "/Groups", Some(group("No-App-Passwords", &[&id]))).await;
    assert_eq!(app.policy_of(JOINER).await["app_passwords_allowed"], false);
    let off_path = format!("/Groups/{}", off["id"].as_str().unwrap());
    assert_eq!(app.scim(Method::DELETE, &off_path, None).await.0, 204);
    assert_eq!(app.policy_of(JOINER).await["app_passwords_allowed"], true, "left with the group");

    // Okta's removal by filter, Entra's by value list; then added back, then renamed away.
    let okta = patch(json!([{"op": "remove", "path": format!("members[value eq \"{id}\"]")}]));
    assert_eq!(app.scim(Method::PATCH, &mfa_path, Some(okta)).await.0, 200);
    assert_eq!(app.policy_of(JOINER).await["mfa_required"], false);
    let add = patch(json!([{"op": "add", "path": "members", "value": [{"value": id}]}]));
    assert_eq!(app.scim(Method::PATCH, &mfa_path, Some(add.clone())).await.0, 200);
    assert_eq!(app.policy_of(JOINER).await["mfa_required"], true);
    let rename = patch(json!([{"op": "replace", "path": "displayName", "value": "MFA-Later"}]));
    assert_eq!(app.scim(Method::PATCH, &mfa_path, Some(rename)).await.0, 200);
    assert_eq!(app.policy_of(JOINER).await["mfa_required"], false, "no longer the MFA group");
    let back = patch(json!([{"op": "replace", "value": {"displayName": "MFA-Required"}}]));
    assert_eq!(app.scim(Method::PATCH, &mfa_path, Some(back)).await.0, 200);

    // Adds and removals raced: whatever order they land in, the policy is the membership's.
    let entra = patch(json!([{"op": "remove", "path": "members", "value": [{"value": id}]}]));
    let raced = (0..16).map(|i| {
        let body = if i % 2 == 0 { add.clone() } else { entra.clone() };
        let (app, path) = (&app, &mfa_path);
        async move { app.scim(Method::PATCH, path, Some(body)).await.0 }
    });
    assert!(join_all(raced).await.iter().all(|s| *s == 200));
    let (_, now) = app.scim(Method::GET, &mfa_path, None).await;
    let member = now["members"].as_array().is_some_and(|m| !m.is_empty());
    assert_eq!(app.policy_of(JOINER).await["mfa_required"], member, "{now}");

    let token = app.admin_token("reader").await;
    let res =
        app.admin(Method::GET, &format!("/v1/admin/audit?username={JOINER}"), &token, None).await;
    let log: Value = res.json().await.unwrap();
    let details: Vec<&str> =
        log["items"].as_array().unwrap().iter().filter_map(|l| l["detail"].as_str()).collect();
    assert!(details.contains(&"added to group mfa-required: mfa_required=true"), "{details:?}");
}

/// Two policy groups changed at once for the same person: neither undoes what the other
/// set. On PostgreSQL the two run side by side, each about its own group; what keeps them
/// apart is her account's lock (each reads all her groups under it) and each writing only
/// what differs. Checked to fail (round 0) when a change writes her whole policy without
/// her account's lock; with the lock it holds either way.
#[tokio::test]
async fn two_groups_changed_at_once_for_one_person_leave_the_policy_of_both() {
    let (app, id) = with_policy_groups().await;
    let group = async |name: &str| {
        let doc = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                         "displayName": name});
        let (status, made) = app.scim(Method::POST, "/Groups", Some(doc)).await;
        assert_eq!(status, 201, "{made}");
        format!("/Groups/{}", made["id"].as_str().unwrap())
    };
    let (mfa, off) = (group("MFA-Required").await, group("No-App-Passwords").await);
    let add = patch(json!([{"op": "add", "path": "members", "value": [{"value": id}]}]));
    let remove = patch(json!([{"op": "remove", "path": "members", "value": [{"value": id}]}]));
    for round in 0..24 {
        let (body, member) = if round % 2 == 0 { (&add, true) } else { (&remove, false) };
        let both = [&mfa, &off]
            .map(|path| async { app.scim(Method::PATCH, path, Some(body.clone())).await.0 });
        assert_eq!(join_all(both).await, [200, 200]);
        let policy = app.policy_of(JOINER).await;
        let got = (policy["mfa_required"].as_bool(), policy["app_passwords_allowed"].as_bool());
        assert_eq!(got, (Some(member), Some(!member)), "round {round}: {policy}");
    }
}

/// scim2-tester (python-scim, pinned in scripts/tools.sh), the outside conformance tester:
/// every check it has for what `ServiceProviderConfig` announces, against this server.
#[tokio::test]
async fn an_outside_conformance_tester_finds_nothing_to_fault() {
    let app = spawn_app().await;
    let venv = std::env::var("APP_TEST_SCIM_TESTER").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../.tools/scim2-tester").to_owned()
    });
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/contract/scim_conformance.py");
    let secret = app.dir.path().join("scim.secret");
    let out = tokio::process::Command::new(format!("{venv}/bin/python"))
        .args([script, &app.url("/scim/v2"), secret.to_str().unwrap()])
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap_or_else(|e| panic!("scim2-tester: {e} (installed? `scripts/tools.sh test`)"));
    let report =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    eprintln!("{}", report.lines().last().unwrap_or_default());
    assert!(out.status.success(), "{report}");
}

#[tokio::test]
async fn guessing_the_scim_secret_stops_at_the_budget_and_a_real_client_never_runs_out() {
    let app = spawn_with(|c| c.limits.signin_per_address = 10).await;
    let guesser = client_at(7);
    let guesses = (0..25).map(|i| {
        let req = guesser.get(app.url("/scim/v2/Users")).bearer_auth(format!("guess-{i:032}"));
        async move { req.send().await.unwrap() }
    });
    let mut statuses: Vec<u16> =
        join_all(guesses).await.iter().map(|r| r.status().as_u16()).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [vec![401; 10], vec![429; 15]].concat(), "in parallel, one address");
    let res = guesser.get(app.url("/scim/v2/Users")).bearer_auth("guess").send().await.unwrap();
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    assert_eq!(res.headers()["content-type"], "application/scim+json");
    // Past the budget, even the right secret from that address is told 429: the answer to
    // a guess says nothing once the budget is spent.
    assert_eq!(app.scim_as(&guesser, Method::GET, "/Users", None).await.0, 429);

    // The identity system, from its own address, 40 calls at once: none refused.
    let idp = client_at(8);
    let calls = (0..40).map(|_| app.scim_as(&idp, Method::GET, "/Users?count=1", None));
    assert!(join_all(calls).await.iter().all(|(status, _)| *status == 200));
}
