//! `/scim/v2/`: the organization's identity system (Entra ID, Okta, authentik…)
//! provisioning people over SCIM 2.0 (RFC 7643/7644; docs/provisioning.md). Its own
//! credential (`ScimClient`), its own documents. What a SCIM client changes goes through
//! the same audited admin actions as the helpdesk's (`Store::administer`), and the
//! person is told as for those.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::clock::rfc3339;
use crate::domain::accounts::AccountRow;
use crate::domain::scim::{
    lists_schema, parse_filter, parse_group, parse_group_patch, parse_user, parse_user_patch,
    without_schema, Filter, FilterAttr, GroupPatch, Members, ScimRefusal, UserPatch, GROUP_SCHEMA,
    SEARCH_REQUEST, USER_SCHEMA,
};
use crate::http::scim::{Scim, ScimBody, ScimClient, ScimError, ScimQuery};
use crate::http::state::AppState;
use crate::store::audit::{AdminAction, By};
use crate::store::scim::{GroupRow, Key, NewPerson, PolicyGroups, Told};
use wire::admin::AuditAction;

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

/// The groups whose membership sets a policy, as configured.
fn policy_groups(state: &AppState) -> PolicyGroups<'_> {
    PolicyGroups {
        mfa: state.config.scim_mfa_group.as_deref(),
        app_passwords_off: state.config.scim_app_passwords_off_group.as_deref(),
    }
}

/// Who acts, as the audit log says it: the SCIM client, from its address.
fn by(from: &str) -> By<'_> {
    By { credential: CREDENTIAL, actor: "provisioning", from }
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

fn resource_type_doc(state: &AppState, name: &str) -> Option<Value> {
    let (schema, description) = match name {
        "User" => (USER_SCHEMA, "A person who signs in here"),
        "Group" => (GROUP_SCHEMA, "A group of the identity system; some set their members' policy"),
        _ => return None,
    };
    Some(json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": name,
        "name": name,
        "endpoint": format!("/{name}s"),
        "description": description,
        "schema": schema,
        "meta": {"resourceType": "ResourceType", "location": format!("{}/ResourceTypes/{name}", base(state))},
    }))
}

pub async fn resource_types(State(state): State<AppState>, _: ScimClient) -> Scim {
    let all: Vec<Value> =
        ["User", "Group"].iter().filter_map(|n| resource_type_doc(&state, n)).collect();
    Scim(StatusCode::OK, list(all, 2, 1))
}

pub async fn resource_type(
    State(state): State<AppState>,
    _: ScimClient,
    Path(id): Path<String>,
) -> ScimResult {
    let doc = resource_type_doc(&state, &id).ok_or_else(ScimError::not_found)?;
    Ok(Scim(StatusCode::OK, doc))
}

/// One attribute of a schema (RFC 7643 §7).
fn attr(name: &str, kind: &str, required: bool, mutability: &str, description: &str) -> Value {
    json!({"name": name, "type": kind, "multiValued": false, "description": description,
        "required": required, "caseExact": false, "mutability": mutability,
        "returned": if mutability == "writeOnly" { "never" } else { "default" },
        "uniqueness": "none"})
}

/// An attribute no two resources may share a value of (refused `409 uniqueness`).
fn unique(mut attribute: Value) -> Value {
    attribute["uniqueness"] = json!("server");
    attribute
}

/// A schema as far as this endpoint keeps it: Users, or Groups.
fn schema_doc(state: &AppState, id: &str) -> Option<Value> {
    let (name, description, attributes) = match id {
        USER_SCHEMA => (
            "User",
            "A person who signs in here",
            json!([
                unique(attr("userName", "string", true, "readWrite", "The sign-in name (an email address).")),
                attr("displayName", "string", true, "readWrite", "The name shown to the person and the helpdesk (from name, or the userName, when absent)."),
                attr("active", "boolean", true, "readWrite", "false: sessions end and app passwords are revoked at once."),
                attr("password", "string", false, "writeOnly", "The primary password, for organizations that sync it; kept hashed."),
                {"name": "emails", "type": "complex", "multiValued": true, "required": false,
                 "mutability": "readOnly", "returned": "default", "uniqueness": "none",
                 "description": "The sign-in address (the userName).",
                 "subAttributes": [
                    attr("value", "string", false, "readOnly", "The address."),
                    attr("type", "string", false, "readOnly", "work"),
                    attr("primary", "boolean", false, "readOnly", "Always true."),
                 ]},
            ]),
        ),
        GROUP_SCHEMA => (
            "Group",
            "A group of the identity system",
            json!([
                unique(attr("displayName", "string", true, "readWrite", "The group's name, unique here (a group's policy is set by name).")),
                {"name": "members", "type": "complex", "multiValued": true, "required": false,
                 "mutability": "readWrite", "returned": "default", "uniqueness": "none",
                 "description": "The Users in the group.",
                 "subAttributes": [
                    attr("value", "string", false, "immutable", "The User's id."),
                    {"name": "$ref", "type": "reference", "referenceTypes": ["User"], "multiValued": false,
                     "description": "The User's location.", "required": false, "caseExact": true,
                     "mutability": "immutable", "returned": "default", "uniqueness": "none"},
                        {"name": "type", "type": "string", "multiValued": false, "description": "User",
                     "required": false, "caseExact": false, "canonicalValues": ["User"],
                     "mutability": "immutable", "returned": "default", "uniqueness": "none"},
                 ]},
            ]),
        ),
        _ => return None,
    };
    Some(json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": id,
        "name": name,
        "description": description,
        "attributes": attributes,
        "meta": {"resourceType": "Schema", "location": format!("{}/Schemas/{id}", base(state))},
    }))
}

pub async fn schemas(State(state): State<AppState>, _: ScimClient) -> Scim {
    let all: Vec<Value> =
        [USER_SCHEMA, GROUP_SCHEMA].iter().filter_map(|id| schema_doc(&state, id)).collect();
    Scim(StatusCode::OK, list(all, 2, 1))
}

pub async fn schema(
    State(state): State<AppState>,
    _: ScimClient,
    Path(id): Path<String>,
) -> ScimResult {
    Ok(Scim(StatusCode::OK, schema_doc(&state, &id).ok_or_else(ScimError::not_found)?))
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
    if let Some(external) = &a.external_id {
        doc["externalId"] = json!(external);
    }
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
    #[serde(flatten)]
    shown: Shown,
}

/// Which attributes an answer carries (RFC 7644 §3.4.2.5): `attributes` (only these,
/// with `id` and `schemas`, which are always returned) or `excludedAttributes`, each a
/// comma-separated list of names (any case, schema URN allowed).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Shown {
    attributes: Option<String>,
    excluded_attributes: Option<String>,
}

impl Shown {
    fn names(list: &Option<String>) -> Vec<String> {
        list.iter()
            .flat_map(|l| l.split(','))
            .map(|n| {
                let n = without_schema(n.trim());
                n.split('.').next().unwrap_or(n).to_ascii_lowercase()
            })
            .filter(|n| !n.is_empty())
            .collect()
    }

    /// `doc` with only the attributes asked for.
    fn apply(&self, mut doc: Value) -> Value {
        let only = Self::names(&self.attributes);
        let excluded = Self::names(&self.excluded_attributes);
        if let Some(object) = doc.as_object_mut() {
            object.retain(|name, _| {
                let name = name.to_ascii_lowercase();
                name == "id"
                    || name == "schemas"
                    || if only.is_empty() {
                        !excluded.contains(&name)
                    } else {
                        only.contains(&name)
                    }
            });
        }
        doc
    }
}

impl ListQuery {
    /// The page asked for (its first index, from 1, and how many at most) and the filter.
    fn page(&self) -> Result<(i64, i64, Option<Filter>), ScimError> {
        let start_index = number(self.start_index.as_deref(), 1, 1, "startIndex")?;
        let count = number(self.count.as_deref(), MAX_RESULTS, 0, "count")?.min(MAX_RESULTS);
        let filter = self.filter.as_deref().map(parse_filter).transpose()?;
        Ok((start_index, count, filter))
    }
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
    ScimQuery(q): ScimQuery<ListQuery>,
) -> ScimResult {
    let (start_index, count, filter) = q.page()?;
    let (total, rows) = match &filter {
        None => state.store.accounts_page(start_index - 1, count).await?,
        Some(f) => {
            let found = match f.attr {
                FilterAttr::UserName | FilterAttr::Email => {
                    state.store.account_by_username_str(&f.value.to_lowercase()).await?
                }
                FilterAttr::ExternalId => state.store.account_by_external_id(&f.value).await?,
                FilterAttr::DisplayName => return Err(not_a_filter_of("User")),
            };
            one_page(found, start_index, count)
        }
    };
    let resources = rows.iter().map(|a| q.shown.apply(user(&state, a))).collect();
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
    ScimQuery(shown): ScimQuery<Shown>,
) -> ScimResult {
    let account = account(&state, &id).await?;
    Ok(Scim(StatusCode::OK, shown.apply(user(&state, &account))))
}

/// A list of the one resource a unique key found, or none: its `start_index`-th page.
fn one_page<T>(found: Option<T>, start_index: i64, count: i64) -> (i64, Vec<T>) {
    let total = i64::from(found.is_some());
    let rows = if start_index == 1 && count > 0 { found.into_iter().collect() } else { Vec::new() };
    (total, rows)
}

fn not_a_filter_of(resource: &str) -> ScimError {
    ScimRefusal::new(
        "invalidFilter",
        format!("This attribute is not one a {resource} is found by."),
    )
    .into()
}

/// Hashes a password a SCIM client sends, within the bound on hashes at once.
async fn hashed(
    state: &AppState,
    password: Option<Option<SecretString>>,
) -> Result<Option<Option<String>>, ScimError> {
    Ok(match password {
        Some(Some(password)) => {
            Some(Some(state.primary.hash_new(password).await.map_err(|_| {
                ScimError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Too many passwords at once; try again.",
                )
            })?))
        }
        Some(None) => Some(None),
        None => None,
    })
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
    let kind = action.kind();
    state.administer(account, by(&from), action).await?.ok_or_else(ScimError::not_found)?;
    tracing::info!(account = %account.id, action = kind.as_str(), "scim: provisioned");
    Ok(())
}

/// Makes what `patch` says of the User `id` so, and answers with the User as it is now.
async fn change_user(
    state: &AppState,
    client: &ScimClient,
    id: &str,
    mut patch: UserPatch,
) -> ScimResult {
    let account = account(state, id).await?;
    let hash = hashed(state, patch.password.take()).await?;
    let password_hash = hash.as_ref().map(|h| h.as_deref());
    provision(state, client, &account, AdminAction::Provision { patch: &patch, password_hash })
        .await?;
    let account = self::account(state, id).await?;
    Ok(Scim(StatusCode::OK, user(state, &account)))
}

pub async fn create_user(
    State(state): State<AppState>,
    client: ScimClient,
    ScimBody(body): ScimBody,
) -> ScimResult {
    let mut doc = parse_user(&body)?;
    let hash = hashed(&state, doc.password.take()).await?.flatten();
    let username = doc
        .user_name
        .as_ref()
        .ok_or_else(|| ScimRefusal::new("invalidValue", "userName is required."))?;
    let external_id = doc.external_id.clone().flatten();
    let new = NewPerson {
        username,
        display_name: doc.display_name.as_deref().unwrap_or(username.as_str()),
        password_hash: hash.as_deref().unwrap_or_default(),
        external_id: external_id.as_deref(),
        active: doc.active.unwrap_or(true),
    };
    let from = client.from.to_string();
    let account = state.store.provision_new(&new, policy_groups(&state), by(&from)).await?;
    tracing::info!(account = %account.id, "scim: created");
    Ok(Scim(StatusCode::CREATED, user(&state, &account)))
}

/// PUT: the whole User again. `active` must be said (a replacement that forgot it must
/// not bring a leaver back); the password, never returned, is kept when not sent.
pub async fn replace_user(
    State(state): State<AppState>,
    client: ScimClient,
    Path(id): Path<String>,
    ScimBody(body): ScimBody,
) -> ScimResult {
    let doc = parse_user(&body)?;
    if doc.active.is_none() {
        return Err(ScimRefusal::new("invalidValue", "active is required in a replacement.").into());
    }
    change_user(&state, &client, &id, doc).await
}

pub async fn patch_user(
    State(state): State<AppState>,
    client: ScimClient,
    Path(id): Path<String>,
    ScimBody(body): ScimBody,
) -> ScimResult {
    let patch = parse_user_patch(&body)?;
    change_user(&state, &client, &id, patch).await
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

/// Tells each person whose policy a group change set, as for a helpdesk's policy change.
async fn tell(state: &AppState, told: Told) {
    for (account, detail) in told {
        state.notifier.admin_action(&account, AuditAction::SetPolicy, &detail).await;
    }
}

/// A group as a SCIM Group.
fn group(state: &AppState, g: &GroupRow) -> Value {
    let base = base(state);
    let members: Vec<Value> = g
        .members
        .iter()
        .map(|id| {
            // No `display`: a member is said as it was sent (value, $ref, type), as
            // conformance testers compare it; the userName is one GET away.
            json!({"value": id, "$ref": format!("{base}/Users/{id}"), "type": "User"})
        })
        .collect();
    let mut doc = json!({
        "schemas": [GROUP_SCHEMA],
        "id": g.id,
        "displayName": g.display_name,
        "members": members,
        "meta": {"resourceType": "Group", "created": rfc3339(g.created_at),
                 "location": format!("{base}/Groups/{}", g.id)},
    });
    if let Some(external) = &g.external_id {
        doc["externalId"] = json!(external);
    }
    doc
}

pub async fn groups(
    State(state): State<AppState>,
    _: ScimClient,
    ScimQuery(q): ScimQuery<ListQuery>,
) -> ScimResult {
    let (start_index, count, filter) = q.page()?;
    let key = match &filter {
        None => None,
        Some(f) => Some(match f.attr {
            FilterAttr::DisplayName => Key::DisplayName(&f.value),
            FilterAttr::ExternalId => Key::ExternalId(&f.value),
            FilterAttr::UserName | FilterAttr::Email => return Err(not_a_filter_of("Group")),
        }),
    };
    let (total, rows) = state.store.groups_page(key, start_index - 1, count).await?;
    let resources = rows.iter().map(|g| q.shown.apply(group(&state, g))).collect();
    Ok(Scim(StatusCode::OK, list(resources, total, start_index)))
}

pub async fn get_group(
    State(state): State<AppState>,
    _: ScimClient,
    Path(id): Path<String>,
    ScimQuery(shown): ScimQuery<Shown>,
) -> ScimResult {
    let found = state.store.group(&id).await?.ok_or_else(ScimError::not_found)?;
    Ok(Scim(StatusCode::OK, shown.apply(group(&state, &found))))
}

/// `POST /.search`: a search across resource types is not supported (RFC 7644 §3.4.3
/// lets a provider say so with 501); `POST /Users/.search` and `/Groups/.search` are.
pub async fn search_all(_: ScimClient, ScimBody(body): ScimBody) -> ScimError {
    // A SearchRequest that could not be read is said so first (400), as for the others.
    if let Err(refused) = search_query(&body) {
        return refused;
    }
    ScimError::new(
        StatusCode::NOT_IMPLEMENTED,
        "Search one resource type at a time: POST /Users/.search or /Groups/.search.",
    )
}

/// A SearchRequest's body (RFC 7644 §3.4.3) as the list query it stands for: `filter`
/// a string, `startIndex` and `count` whole numbers, `attributes` and
/// `excludedAttributes` lists of names (or one comma-separated string). Anything else in
/// those is refused, never read as absent.
fn search_query(body: &Value) -> Result<ListQuery, ScimError> {
    lists_schema(body, SEARCH_REQUEST)?;
    let field = |k: &str| {
        body.as_object().and_then(|o| o.iter().find(|(name, _)| name.eq_ignore_ascii_case(k)))
    };
    let refused = |k: &str, what: &str| -> ScimError {
        ScimRefusal::new("invalidValue", format!("{k} is {what}.")).into()
    };
    let text = |k: &str| match field(k) {
        None | Some((_, Value::Null)) => Ok(None),
        Some((_, Value::String(s))) => Ok(Some(s.clone())),
        Some(_) => Err(refused(k, "a string")),
    };
    let number = |k: &str| match field(k) {
        None | Some((_, Value::Null)) => Ok(None),
        Some((_, Value::Number(n))) if n.is_i64() => Ok(Some(n.to_string())),
        Some(_) => Err(refused(k, "a whole number")),
    };
    let names = |k: &str| match field(k) {
        None | Some((_, Value::Null)) => Ok(None),
        Some((_, Value::String(s))) => Ok(Some(s.clone())),
        Some((_, Value::Array(list))) => list
            .iter()
            .map(|v| v.as_str().ok_or_else(|| refused(k, "a list of attribute names")))
            .collect::<Result<Vec<_>, _>>()
            .map(|names| Some(names.join(","))),
        Some(_) => Err(refused(k, "a list of attribute names")),
    };
    Ok(ListQuery {
        filter: text("filter")?,
        start_index: number("startIndex")?,
        count: number("count")?,
        shown: Shown {
            attributes: names("attributes")?,
            excluded_attributes: names("excludedAttributes")?,
        },
    })
}

pub async fn search_users(
    state: State<AppState>,
    client: ScimClient,
    ScimBody(body): ScimBody,
) -> ScimResult {
    users(state, client, ScimQuery(search_query(&body)?)).await
}

pub async fn search_groups(
    state: State<AppState>,
    client: ScimClient,
    ScimBody(body): ScimBody,
) -> ScimResult {
    groups(state, client, ScimQuery(search_query(&body)?)).await
}

pub async fn create_group(
    State(state): State<AppState>,
    client: ScimClient,
    ScimBody(body): ScimBody,
) -> ScimResult {
    let doc = parse_group(&body)?;
    let from = client.from.to_string();
    let (made, told) = state.store.create_group(&doc, policy_groups(&state), by(&from)).await?;
    tell(&state, told).await;
    tracing::info!(group = %made.id, members = made.members.len(), "scim: group created");
    Ok(Scim(StatusCode::CREATED, group(&state, &made)))
}

async fn change_group(
    state: &AppState,
    client: &ScimClient,
    id: &str,
    patch: &GroupPatch,
) -> ScimResult {
    let from = client.from.to_string();
    let (changed, told) =
        state.store.change_group(id, patch, policy_groups(state), by(&from)).await?;
    tell(state, told).await;
    let changed = changed.ok_or_else(ScimError::not_found)?;
    Ok(Scim(StatusCode::OK, group(state, &changed)))
}

pub async fn replace_group(
    State(state): State<AppState>,
    client: ScimClient,
    Path(id): Path<String>,
    ScimBody(body): ScimBody,
) -> ScimResult {
    let doc = parse_group(&body)?;
    let patch = GroupPatch {
        display_name: Some(doc.display_name),
        external_id: Some(doc.external_id),
        members: vec![Members::Replace(doc.members)],
    };
    change_group(&state, &client, &id, &patch).await
}

pub async fn patch_group(
    State(state): State<AppState>,
    client: ScimClient,
    Path(id): Path<String>,
    ScimBody(body): ScimBody,
) -> ScimResult {
    let patch = parse_group_patch(&body)?;
    change_group(&state, &client, &id, &patch).await
}

pub async fn delete_group(
    State(state): State<AppState>,
    client: ScimClient,
    Path(id): Path<String>,
) -> Result<StatusCode, ScimError> {
    let from = client.from.to_string();
    let (deleted, told) = state.store.delete_group(&id, policy_groups(&state), by(&from)).await?;
    tell(&state, told).await;
    if deleted {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ScimError::not_found())
    }
}
