//! `/scim/v2/`: the organization's identity system (Entra ID, Okta, authentik…)
//! provisioning people over SCIM 2.0 (RFC 7643/7644; docs/provisioning.md). Its own
//! credential (`ScimClient`), its own documents. What a SCIM client changes goes through
//! the same audited admin actions as the helpdesk's (`Store::administer`), and the
//! person is told as for those.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::domain::accounts::AccountRow;
use crate::domain::scim::{parse_filter, parse_patch, FilterAttr, ScimRefusal};
use crate::http::scim::{Scim, ScimClient, ScimError};
use crate::http::state::AppState;
use crate::store::audit::{AdminAction, By};

const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// The most resources one list answer holds (announced in `ServiceProviderConfig`).
pub const MAX_RESULTS: i64 = 200;
/// The credential's name in the audit log.
const CREDENTIAL: &str = "scim";

type ScimResult = Result<Scim, ScimError>;

/// Where the SCIM resources are, as clients are told (`meta.location`).
fn base(state: &AppState) -> String {
    let public = state.config.public_url.as_deref().unwrap_or("/");
    format!("{}/scim/v2", public.trim_end_matches('/'))
}

pub async fn service_provider_config(State(state): State<AppState>, _: ScimClient) -> Scim {
    let unsupported = json!({"supported": false});
    Scim(
        StatusCode::OK,
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
            "documentationUri": "https://github.com/app-passwords/app-passwords/blob/main/docs/provisioning.md",
            "patch": {"supported": true},
            "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": true, "maxResults": MAX_RESULTS},
            "changePassword": unsupported,
            "sort": unsupported,
            "etag": unsupported,
            "authenticationSchemes": [{
                "type": "oauthbearertoken",
                "name": "Bearer secret",
                "description": "One of the secrets of APP_SCIM_SECRET_FILE, as a Bearer token.",
                "primary": true,
            }],
            "meta": {
                "resourceType": "ServiceProviderConfig",
                "location": format!("{}/ServiceProviderConfig", base(&state)),
            },
        }),
    )
}

fn user_resource_type(state: &AppState) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "description": "A person who signs in here",
        "schema": USER_SCHEMA,
        "meta": {"resourceType": "ResourceType", "location": format!("{}/ResourceTypes/User", base(state))},
    })
}

pub async fn resource_types(State(state): State<AppState>, _: ScimClient) -> Scim {
    Scim(StatusCode::OK, list(vec![user_resource_type(&state)], 1, 1))
}

pub async fn resource_type(
    State(state): State<AppState>,
    _: ScimClient,
    Path(id): Path<String>,
) -> ScimResult {
    match id.as_str() {
        "User" => Ok(Scim(StatusCode::OK, user_resource_type(&state))),
        _ => Err(ScimError::not_found()),
    }
}

/// The User schema, as far as this endpoint keeps it.
fn user_schema(state: &AppState) -> Value {
    let attr = |name: &str, kind: &str, mutability: &str, unique: &str, description: &str| {
        json!({"name": name, "type": kind, "multiValued": false, "description": description,
            "required": name == "userName", "caseExact": false, "mutability": mutability,
            "returned": "default", "uniqueness": unique})
    };
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": USER_SCHEMA,
        "name": "User",
        "description": "A person who signs in here",
        "attributes": [
            attr("userName", "string", "readOnly", "server", "The sign-in name (an email address)."),
            attr("displayName", "string", "readWrite", "none", "The name shown to the person and the helpdesk."),
            attr("active", "boolean", "readWrite", "none", "false: sessions end and app passwords are revoked at once."),
            {"name": "emails", "type": "complex", "multiValued": true, "required": false,
             "mutability": "readOnly", "returned": "default", "uniqueness": "none",
             "description": "The sign-in address.",
             "subAttributes": [
                attr("value", "string", "readOnly", "none", "The address."),
                attr("type", "string", "readOnly", "none", "work"),
                attr("primary", "boolean", "readOnly", "none", "Always true."),
             ]},
        ],
        "meta": {"resourceType": "Schema", "location": format!("{}/Schemas/{USER_SCHEMA}", base(state))},
    })
}

pub async fn schemas(State(state): State<AppState>, _: ScimClient) -> Scim {
    Scim(StatusCode::OK, list(vec![user_schema(&state)], 1, 1))
}

pub async fn schema(
    State(state): State<AppState>,
    _: ScimClient,
    Path(id): Path<String>,
) -> ScimResult {
    match id.as_str() {
        USER_SCHEMA => Ok(Scim(StatusCode::OK, user_schema(&state))),
        _ => Err(ScimError::not_found()),
    }
}

/// A ListResponse of `resources`, the `start_index`-th (from 1) of `total`.
fn list(resources: Vec<Value>, total: i64, start_index: i64) -> Value {
    json!({
        "schemas": [LIST_SCHEMA],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

/// A person as a SCIM User.
fn user(state: &AppState, a: &AccountRow) -> Value {
    let mut doc = json!({
        "schemas": [USER_SCHEMA],
        "id": a.id,
        "userName": a.username,
        "displayName": a.display_name,
        "active": !a.disabled,
        "meta": {"resourceType": "User", "location": format!("{}/Users/{}", base(state), a.id)},
    });
    if a.username.contains('@') {
        doc["emails"] = json!([{"value": a.username, "type": "work", "primary": true}]);
    }
    doc
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    filter: Option<String>,
    start_index: Option<String>,
    count: Option<String>,
}

/// A paging number: RFC 7644 §3.4.2.4 says a value below its minimum is taken as the
/// minimum; a value that is not a number is refused.
fn number(raw: Option<&str>, default: i64, min: i64, name: &str) -> Result<i64, ScimError> {
    match raw {
        None => Ok(default),
        Some(raw) => raw.trim().parse::<i64>().map(|n| n.max(min)).map_err(|_| {
            ScimRefusal::new("invalidValue", format!("{name} is a whole number.")).into()
        }),
    }
}

pub async fn users(
    State(state): State<AppState>,
    _: ScimClient,
    Query(q): Query<ListQuery>,
) -> ScimResult {
    let start_index = number(q.start_index.as_deref(), 1, 1, "startIndex")?;
    let count = number(q.count.as_deref(), MAX_RESULTS, 0, "count")?.min(MAX_RESULTS);
    let filter = q.filter.as_deref().map(parse_filter).transpose()?;
    let username = match &filter {
        None => None,
        Some(f) => match f.attr {
            FilterAttr::UserName | FilterAttr::Email => Some(f.value.to_lowercase()),
            // No account carries an external id yet: none matches.
            FilterAttr::ExternalId => {
                return Ok(Scim(StatusCode::OK, list(Vec::new(), 0, start_index)))
            }
        },
    };
    let (total, rows) =
        state.store.accounts_page(username.as_deref(), start_index - 1, count).await?;
    let resources = rows.iter().map(|a| user(&state, a)).collect();
    Ok(Scim(StatusCode::OK, list(resources, total, start_index)))
}

async fn account(state: &AppState, id: &str) -> Result<AccountRow, ScimError> {
    if id.len() > 64 {
        return Err(ScimError::not_found());
    }
    state.store.account_by_id(id).await?.ok_or_else(ScimError::not_found)
}

pub async fn get_user(
    State(state): State<AppState>,
    _: ScimClient,
    Path(id): Path<String>,
) -> ScimResult {
    let account = account(&state, &id).await?;
    Ok(Scim(StatusCode::OK, user(&state, &account)))
}

/// Does `action` to the account as the SCIM client, audited in the same transaction, and
/// tells the person.
async fn provision(
    state: &AppState,
    client: &ScimClient,
    account: &AccountRow,
    action: AdminAction<'_>,
) -> Result<(), ScimError> {
    let from = client.from.to_string();
    let by = By { credential: CREDENTIAL, actor: "provisioning", from: &from };
    let kind = action.kind();
    state.administer(account, by, action).await?.ok_or_else(ScimError::not_found)?;
    tracing::info!(account = %account.id, action = kind.as_str(), "scim: provisioned");
    Ok(())
}

pub async fn patch_user(
    State(state): State<AppState>,
    client: ScimClient,
    Path(id): Path<String>,
    body: Bytes,
) -> ScimResult {
    let body: Value = serde_json::from_slice(&body)
        .map_err(|_| ScimRefusal::new("invalidSyntax", "The body is not a JSON document."))?;
    let patch = parse_patch(&body)?;
    let account = account(&state, &id).await?;
    provision(&state, &client, &account, AdminAction::Provision(&patch)).await?;
    let account = self::account(&state, &id).await?;
    Ok(Scim(StatusCode::OK, user(&state, &account)))
}

pub async fn delete_user(
    State(state): State<AppState>,
    client: ScimClient,
    Path(id): Path<String>,
) -> Result<StatusCode, ScimError> {
    let account = account(&state, &id).await?;
    provision(&state, &client, &account, AdminAction::Delete).await?;
    Ok(StatusCode::NO_CONTENT)
}
