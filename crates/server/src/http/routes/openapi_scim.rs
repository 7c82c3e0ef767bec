//! The SCIM door in the contract: `/scim/v2/` as RFC 7643/7644 define it and as
//! `domain::scim` reads it, written here in one place (its handlers take SCIM documents
//! whose attribute names are case-insensitive, which no derived schema can say). Added to
//! the generated document by `openapi::document`; schemathesis checks the running server
//! against it like the rest.

use serde_json::{json, Map, Value};

use wire::rules;

use super::scim::MAX_RESULTS;
use crate::domain::scim::{
    ENTERPRISE_SCHEMA, GROUP_SCHEMA, MAX_MEMBERS, PATCH_OP, SEARCH_REQUEST, USER_IGNORED,
    USER_SCHEMA,
};
use crate::http::scim::{ERROR_SCHEMA, SCIM_JSON};

/// A regular expression matching `word` in any case (SCIM's names and operators are
/// case-insensitive: RFC 7643 §2.1).
fn any_case(word: &str) -> String {
    word.chars()
        .map(|c| match c {
            c if c.is_ascii_alphabetic() => {
                format!("[{}{}]", c.to_ascii_lowercase(), c.to_ascii_uppercase())
            }
            '.' => "\\.".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

/// A schema reference.
fn schema(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// An answer carrying a SCIM document of schema `name`.
fn document(description: &str, name: &str) -> Value {
    json!({ "description": description, "content": { SCIM_JSON: { "schema": schema(name) } } })
}

/// An error answer: a SCIM error document (`status` as a string, `scimType` when one says
/// why).
fn error(description: &str) -> Value {
    document(description, "ScimError")
}

/// An operation: what every SCIM operation can answer besides its own (401 without the
/// secret, 404 when provisioning is not configured or the resource is not there, 429 past
/// the address's budget of wrong secrets, 503 when the store does not answer).
fn operation(id: &str, summary: &str, answers: &[(&str, Value)], body: Option<&str>) -> Value {
    let mut responses = Map::new();
    for (status, answer) in answers {
        responses.insert((*status).to_owned(), answer.clone());
    }
    for (status, why) in [
        ("401", "Without the SCIM secret (`WWW-Authenticate: Bearer realm=\"scim\"`)"),
        ("404", "No such resource, or provisioning is not configured here"),
        ("429", "Too many wrong secrets from this address (`Retry-After`)"),
        ("503", "The store did not answer; try again"),
    ] {
        responses.entry(status).or_insert_with(|| error(why));
    }
    if body.is_some() {
        responses.entry("400").or_insert_with(|| {
            error("Refused with the `scimType` that says why (`invalidSyntax`, `invalidValue`, `invalidPath`, `noTarget`, `mutability`, `invalidFilter`); nothing was changed")
        });
        responses.insert("413".into(), error("The body is larger than the server takes"));
    }
    let mut op = json!({
        "operationId": id,
        "summary": summary,
        "tags": ["provisioning"],
        "security": [{ "scim": [] }],
        "responses": responses,
    });
    if let Some(name) = body {
        op["requestBody"] = json!({
            "required": true,
            "content": {
                SCIM_JSON: { "schema": schema(name) },
                "application/json": { "schema": schema(name) },
            }
        });
    }
    op
}

/// A list refused: a filter this endpoint does not support, a paging number that is not
/// a whole number.
fn bad_list() -> Value {
    error("`invalidFilter`: a filter this endpoint does not support; `invalidValue`: a paging number that is not a whole number, a query that cannot be read")
}

fn id_parameter(what: &str) -> Value {
    json!({ "name": "id", "in": "path", "required": true, "description": format!("The {what}'s id"),
        "schema": { "type": "string" } })
}

/// `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5): comma-separated names.
fn shown_parameters() -> Vec<Value> {
    ["attributes", "excludedAttributes"]
        .iter()
        .map(|name| {
            json!({ "name": name, "in": "query", "required": false, "schema": { "type": "string" },
                "description": "Comma-separated attribute names (any case, the schema URN allowed); `id` and `schemas` are always returned" })
        })
        .collect()
}

/// A list's parameters: the filter, the page, the attributes shown.
fn list_parameters(filters: &str) -> Vec<Value> {
    let mut parameters = vec![
        json!({ "name": "filter", "in": "query", "required": false, "schema": { "type": "string" },
            "description": format!("`attribute eq \"a string\"`, of {filters} (names and `eq` in any case); any other filter is refused `400 invalidFilter`") }),
        json!({ "name": "startIndex", "in": "query", "required": false,
            "schema": { "type": "integer", "minimum": i64::MIN, "maximum": i64::MAX },
            "description": "The first result's index, from 1 (below 1 is taken as 1)" }),
        json!({ "name": "count", "in": "query", "required": false,
            "schema": { "type": "integer", "minimum": i64::MIN, "maximum": i64::MAX },
            "description": format!("At most this many results (below 0 is 0; at most {MAX_RESULTS})") }),
    ];
    parameters.extend(shown_parameters());
    parameters
}

/// The resource `name` (`User`, `Group`): list and create, then get, replace, patch and
/// delete by id, and search.
fn resource(paths: &mut Map<String, Value>, name: &str, filters: &str) {
    let plural = format!("{name}s");
    let lower = name.to_ascii_lowercase();
    let listed = document(&format!("A page of {plural}"), &format!("Scim{name}List"));
    let one = |what: &str| document(what, &format!("Scim{name}Answered"));
    let taken =
        error("Taken: another resource has this name or externalId (`scimType: uniqueness`)");
    let mut list = operation(
        &format!("scim_list_{lower}s"),
        &format!("List {plural}, filtered and paged"),
        &[("200", listed.clone()), ("400", bad_list())],
        None,
    );
    list["parameters"] = json!(list_parameters(filters));
    let mut created = one(&format!("The {name} made"));
    created["links"] = links(name);
    let create = operation(
        &format!("scim_create_{lower}"),
        &format!("Make a {name}"),
        &[("201", created), ("409", taken.clone())],
        Some(&format!("Scim{name}")),
    );
    paths.insert(format!("/scim/v2/{plural}"), json!({ "get": list, "post": create }));

    let mut get = operation(
        &format!("scim_get_{lower}"),
        &format!("One {name}"),
        &[("200", one(&format!("The {name}")))],
        None,
    );
    get["parameters"] = json!(shown_parameters());
    let replace = operation(
        &format!("scim_replace_{lower}"),
        &format!("Replace a {name} whole"),
        &[("200", one(&format!("The {name} as it is now"))), ("409", taken.clone())],
        Some(&format!("Scim{name}")),
    );
    let patch = operation(
        &format!("scim_patch_{lower}"),
        &format!("Change a {name} (PatchOp: all operations or none)"),
        &[("200", one(&format!("The {name} as it is now"))), ("409", taken)],
        Some("ScimPatchOp"),
    );
    let delete = operation(
        &format!("scim_delete_{lower}"),
        &format!("Delete a {name}"),
        &[("204", json!({ "description": "Deleted" }))],
        None,
    );
    let mut item = json!({ "get": get, "put": replace, "patch": patch, "delete": delete });
    item["parameters"] = json!([id_parameter(name)]);
    paths.insert(format!("/scim/v2/{plural}/{{id}}"), item);

    let search = operation(
        &format!("scim_search_{lower}s"),
        &format!("List {plural} as a SearchRequest (the filter out of the URL)"),
        &[("200", listed), ("400", bad_list())],
        Some("ScimSearchRequest"),
    );
    paths.insert(format!("/scim/v2/{plural}/.search"), json!({ "post": search }));
}

/// The links from a resource made to what can be done with it (stateful testing).
fn links(name: &str) -> Value {
    let lower = name.to_ascii_lowercase();
    let mut links = Map::new();
    for verb in ["get", "replace", "patch", "delete"] {
        links.insert(
            verb.to_owned(),
            json!({ "operationId": format!("scim_{verb}_{lower}"), "parameters": { "id": "$response.body#/id" } }),
        );
    }
    Value::Object(links)
}

/// `schemas`: a list naming `urn` (in any case).
fn schemas_naming(urn: &str) -> Value {
    json!({ "type": "array",
        "contains": { "type": "string", "pattern": format!("^{}$", any_case(urn)) },
        "description": format!("Names {urn}") })
}

/// A resource as answered: `schemas` and `id` always; the rest as `attributes` asked.
fn answered(description: &str) -> Value {
    json!({ "type": "object", "required": ["schemas", "id"], "description": description,
        "properties": {
            "schemas": { "type": "array", "items": { "type": "string" } },
            "id": { "type": "string" },
            "meta": { "type": "object" },
        } })
}

fn list_of(item: &str) -> Value {
    json!({ "type": "object", "required": ["schemas", "totalResults"],
        "properties": {
            "schemas": { "type": "array", "items": { "type": "string" } },
            "totalResults": { "type": "integer", "minimum": 0 },
            "startIndex": { "type": "integer", "minimum": 1 },
            "itemsPerPage": { "type": "integer", "minimum": 0 },
            "Resources": { "type": "array", "items": schema(item) },
        } })
}

/// A resource's body as sent (POST, PUT): `names` are its attributes, any case; `props`
/// the rules of those this endpoint keeps.
fn sent(required: &[&str], props: Value, names: &[&str], description: &str) -> Value {
    let names: Vec<String> = names.iter().map(|n| any_case(n)).collect();
    json!({ "type": "object", "required": required, "description": description,
        "properties": props,
        "propertyNames": { "pattern": format!("^(?:{})$", names.join("|")) } })
}

/// The SCIM documents' schemas.
fn scim_schemas() -> Map<String, Value> {
    let display_name = json!({ "type": "string", "pattern": rules::NAME_PATTERN,
        "description": "1 to 128 characters once the blanks around are removed; no control or direction character" });
    let external_id = json!({ "type": ["string", "null"], "minLength": 1, "maxLength": 256,
        "description": "The identity system's id of the resource, unique here; no control or direction character" });
    let active = json!({ "oneOf": [
        { "type": "boolean" },
        { "type": "string", "pattern": format!("^(?:{}|{})$", any_case("true"), any_case("false")) },
    ], "description": "false: every session ends and the app passwords are revoked at once. The strings True and False, as Entra ID sends them, are read as booleans" });
    let mut user_props = json!({
        "schemas": schemas_naming(USER_SCHEMA),
        "userName": { "type": "string", "pattern": rules::USERNAME_PATTERN, "maxLength": rules::USERNAME_MAX,
            "description": "The sign-in name, unique here (any case; kept lower-cased)" },
        "displayName": display_name,
        "active": active,
        "externalId": external_id,
        "password": { "type": "string", "minLength": 1, "maxLength": rules::PASSWORD_MAX, "writeOnly": true,
            "description": "The primary password, for organizations that sync it: kept hashed, never returned" },
        "id": {}, "meta": {},
    });
    for ignored in USER_IGNORED {
        user_props[*ignored] = json!({ "description": "Accepted and not kept" });
    }
    user_props["name"]["description"] =
        json!("Accepted; `formatted`, else `givenName` and `familyName`, make the displayName when none is sent");
    user_props[ENTERPRISE_SCHEMA] =
        json!({ "description": "The enterprise extension: accepted and not kept" });
    let user_names: Vec<&str> = [
        "schemas",
        "id",
        "meta",
        "userName",
        "displayName",
        "active",
        "externalId",
        "password",
        ENTERPRISE_SCHEMA,
    ]
    .into_iter()
    .chain(USER_IGNORED.iter().copied())
    .collect();
    let member = json!({ "type": "object", "required": ["value"],
        "properties": { "value": { "type": "string", "minLength": 1, "maxLength": 64, "description": "A User's id" } } });
    let group_props = json!({
        "schemas": schemas_naming(GROUP_SCHEMA),
        "displayName": display_name,
        "externalId": external_id,
        "members": { "type": "array", "maxItems": MAX_MEMBERS, "items": member },
        "id": {}, "meta": {},
    });
    let operation = json!({ "type": "object", "required": ["op"],
        "properties": {
            "op": { "type": "string", "pattern": format!("^(?:{}|{}|{})$", any_case("add"), any_case("replace"), any_case("remove")) },
            "path": { "type": ["string", "null"], "description": "The attribute (`members[value eq \"id\"]` for one member); none: `value` is an object of attributes" },
            "value": { "description": "The attribute's new value, or an object of attributes" },
        } });
    let search_list = json!({ "anyOf": [
        { "type": "array", "items": { "type": "string" } },
        { "type": ["string", "null"] },
    ], "description": "Attribute names: a list, or comma-separated" });
    let mut schemas = Map::new();
    schemas.insert("ScimUser".into(), sent(&["schemas", "userName"], user_props, &user_names,
        "A User as sent. Attribute names are case-insensitive; a name no schema has is refused `400 invalidSyntax`"));
    schemas.insert("ScimGroup".into(), sent(&["schemas", "displayName"], group_props,
        &["schemas", "id", "meta", "displayName", "externalId", "members"],
        "A Group as sent: its members by User id. Membership of the policy groups sets the members' policy"));
    schemas.insert(
        "ScimPatchOp".into(),
        json!({ "type": "object", "required": ["schemas", "Operations"],
        "properties": {
            "schemas": schemas_naming(PATCH_OP),
            "Operations": { "type": "array", "minItems": 1, "maxItems": 100, "items": operation },
        } }),
    );
    schemas.insert(
        "ScimSearchRequest".into(),
        json!({ "type": "object", "required": ["schemas"],
        "properties": {
            "schemas": schemas_naming(SEARCH_REQUEST),
            "filter": { "type": ["string", "null"] },
            "startIndex": { "type": ["integer", "null"], "minimum": i64::MIN, "maximum": i64::MAX },
            "count": { "type": ["integer", "null"], "minimum": i64::MIN, "maximum": i64::MAX },
            "attributes": search_list,
            "excludedAttributes": search_list,
        } }),
    );
    schemas.insert("ScimUserList".into(), list_of("ScimUserAnswered"));
    schemas.insert("ScimGroupList".into(), list_of("ScimGroupAnswered"));
    schemas.insert("ScimResourceList".into(), list_of("ScimAny"));
    schemas.insert("ScimUserAnswered".into(), answered("A User (never its password)"));
    schemas.insert("ScimGroupAnswered".into(), answered("A Group and its members"));
    schemas.insert("ScimAny".into(), json!({ "type": "object", "required": ["schemas"] }));
    schemas.insert(
        "ScimError".into(),
        json!({ "type": "object", "required": ["schemas", "status"],
        "properties": {
            "schemas": { "type": "array", "items": { "const": ERROR_SCHEMA } },
            "status": { "type": "string", "pattern": "^[45][0-9][0-9]$" },
            "scimType": { "type": "string" },
            "detail": { "type": "string" },
        } }),
    );
    schemas
}

/// Adds the SCIM door to the document: its paths, schemas and credential.
pub fn add(doc: &mut Value) {
    let mut paths = Map::new();
    let discovery = |id: &str, summary: &str, name: &str| json!({ "get": operation(id, summary, &[("200", document(summary, name))], None) });
    paths.insert(
        "/scim/v2/ServiceProviderConfig".into(),
        discovery("scim_service_provider_config", "What this endpoint supports", "ScimAny"),
    );
    paths.insert(
        "/scim/v2/ResourceTypes".into(),
        discovery("scim_resource_types", "The resource types (User, Group)", "ScimResourceList"),
    );
    paths.insert(
        "/scim/v2/Schemas".into(),
        discovery(
            "scim_schemas",
            "The schemas, as far as this endpoint keeps them",
            "ScimResourceList",
        ),
    );
    for (path, id, what) in [
        ("/scim/v2/ResourceTypes/{id}", "scim_resource_type", "resource type"),
        ("/scim/v2/Schemas/{id}", "scim_schema", "schema"),
    ] {
        let mut item = discovery(id, &format!("One {what}"), "ScimAny");
        item["parameters"] = json!([id_parameter(what)]);
        paths.insert(path.into(), item);
    }
    resource(&mut paths, "User", "userName, externalId or emails.value");
    resource(&mut paths, "Group", "displayName or externalId");
    let search_all = operation(
        "scim_search_all",
        "A search across resource types: not supported (search Users or Groups)",
        &[("501", error("Not supported: POST /Users/.search or /Groups/.search"))],
        Some("ScimSearchRequest"),
    );
    paths.insert("/scim/v2/.search".into(), json!({ "post": search_all }));

    if let Some(all) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        all.extend(paths);
    }
    if let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) {
        if let Some(schemas) = components.get_mut("schemas").and_then(Value::as_object_mut) {
            schemas.extend(scim_schemas());
        }
        if let Some(schemes) = components.get_mut("securitySchemes").and_then(Value::as_object_mut)
        {
            schemes.insert("scim".into(), json!({ "type": "http", "scheme": "bearer",
                "description": "An identity system's SCIM secret (APP_SCIM_SECRET_FILE): opens /scim/v2/ only" }));
        }
    }
    if let Some(tags) = doc.get_mut("tags").and_then(Value::as_array_mut) {
        tags.push(json!({ "name": "provisioning", "description": "SCIM 2.0 (RFC 7643/7644): docs/provisioning.md" }));
    }
}
