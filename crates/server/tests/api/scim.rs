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
    fn scim_secret(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("scim.secret")).unwrap().trim().to_owned()
    }

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
    let (_, schema) =
        app.scim(Method::GET, "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", None).await;
    assert_eq!(schema["attributes"][0]["name"], "userName");
    assert_eq!(app.scim(Method::GET, "/Schemas/urn:x", None).await.0, 404);
    assert_eq!(app.scim(Method::GET, "/Groups", None).await.0, 404);
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
                       {"op": "replace", "path": "nickName", "value": "x"}]});
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
