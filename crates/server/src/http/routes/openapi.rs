//! The contract, generated from the handlers and the wire types, then completed here in
//! one place with what the annotations do not carry: the problems each operation can
//! answer (as `application/problem+json`), the field rules the server enforces (the
//! patterns of `wire::rules`), and the links between operations. Checked into the
//! repository as `crates/server/openapi.json`; a test fails when the two drift, and
//! schemathesis checks the running server against it.

use serde_json::{json, Map, Value};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use wire::rules;

use super::{
    admin, app_passwords, demo, health, legacy, methods, mfa, notices, password, sessions, sso,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "app-passwords identity endpoint", description = "Sign-in, MFA enrollment and challenge, \
        app passwords and legacy sign-in. Errors are application/problem+json (RFC 9457) with a stable `code`; \
        each error response below lists the codes it can carry. Human-readable: /v1/docs."),
    paths(
        health::get, health::live,
        sessions::create, sessions::account, sessions::delete, password::change, notices::disown,
        sso::info, sso::start, sso::session, sso::exchange,
        mfa::enroll, mfa::enrollment_resend, mfa::enrollment_verify,
        mfa::challenge, mfa::challenge_resend, mfa::challenge_verify,
        methods::remove, methods::rename, methods::prefer,
        app_passwords::list, app_passwords::create, app_passwords::revoke, app_passwords::revoke_all,
        legacy::whoami, legacy::verify,
        demo::outbox,
        admin::sign_in, admin::sign_out, admin::find, admin::get, admin::remove_method, admin::reset_mfa,
        admin::unlock_mfa, admin::disable, admin::enable,
        admin::revoke_app_password, admin::revoke_all, admin::set_policy, admin::audit,
    ),
    components(schemas(wire::Problem)),
    modifiers(&Security)
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "basic",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Basic).build()),
        );
        components.add_security_scheme(
            "admin_credential",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A portal's admin credential (APP_ADMIN_CREDENTIALS_FILE): only mints admin tokens"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "mail_server",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A mail server's shared secret (APP_MAIL_SERVER_SECRET_FILE)",
                    ))
                    .build(),
            ),
        );
    }
}

/// Statuses, each with the problem `code`s it can carry.
type Problems = &'static [(u16, &'static [&'static str])];

/// The problems each operation can answer, by status, with the `code`s each carries.
/// Besides these, every operation that takes a bearer token can answer 401
/// (`unauthorized`, `session_expired`), every one with a JSON body 400
/// (`bad_request`), 413 (`payload_too_large`), 415 (`bad_request`) and 422
/// (`validation_failed`), and every one but `live` 503 (`unavailable`: the database
/// cannot be reached).
const PROBLEMS: &[(&str, Problems)] = &[
    (
        "sign_in",
        &[
            (401, &["invalid_credentials"]),
            (403, &["account_disabled", "password_sign_in_off"]),
            (429, &["rate_limited"]),
            (503, &["server_busy", "directory_unavailable"]),
        ],
    ),
    ("get_sso", &[(404, &["not_found"])]),
    ("start_sso", &[(404, &["not_found"]), (422, &["validation_failed"])]),
    ("sign_in_sso", &[(404, &["not_found"]), (422, &["sso_failed", "validation_failed"])]),
    (
        "start_enrollment",
        &[
            (403, &["not_available", "method_not_allowed", "mfa_required", "mfa_locked"]),
            (404, &["not_found"]),
            (409, &["idempotency_conflict"]),
            (422, &["validation_failed"]),
            (429, &["rate_limited"]),
            (502, &["delivery_failed"]),
        ],
    ),
    ("resend_enrollment_code", RESEND),
    (
        "verify_enrollment",
        &[
            (403, &["mfa_required", "method_not_allowed", "mfa_locked"]),
            (404, &["not_found"]),
            (409, &["key_already_registered"]),
            (422, &["invalid_code", "credential_refused", "code_expired", "validation_failed"]),
            (429, &["too_many_attempts", "rate_limited"]),
        ],
    ),
    (
        "start_challenge",
        &[
            (403, &["method_not_allowed", "mfa_locked"]),
            (404, &["not_found"]),
            (429, &["rate_limited"]),
            (502, &["delivery_failed"]),
        ],
    ),
    ("resend_challenge_code", RESEND),
    (
        "verify_challenge",
        &[
            (403, &["method_not_allowed", "mfa_locked"]),
            (404, &["not_found"]),
            (422, &["invalid_code", "credential_refused", "code_expired", "validation_failed"]),
            (429, &["too_many_attempts", "rate_limited"]),
        ],
    ),
    ("remove_method", METHOD_CHANGE),
    ("rename_method", METHOD_CHANGE),
    ("prefer_method", METHOD_CHANGE),
    (
        "change_password",
        &[
            (403, &["mfa_required", "not_available"]),
            (429, &["rate_limited"]),
            (503, &["server_busy", "directory_unavailable"]),
        ],
    ),
    ("disown", &[(404, &["not_found"]), (429, &["rate_limited"])]),
    ("list_app_passwords", APP_PASSWORDS),
    (
        "create_app_password",
        &[
            (403, &["not_available", "mfa_required", "phishing_resistant_required"]),
            (409, &["limit_reached", "name_taken", "idempotency_conflict"]),
            (422, &["validation_failed"]),
        ],
    ),
    ("revoke_app_password", &[(403, &["not_available", "mfa_required"]), (404, &["not_found"])]),
    ("revoke_all_app_passwords", APP_PASSWORDS),
    (
        "legacy_whoami",
        &[
            (401, &["invalid_credentials"]),
            (422, &["validation_failed"]),
            (429, &["rate_limited"]),
            (503, &["server_busy", "directory_unavailable"]),
        ],
    ),
    (
        "legacy_verify",
        &[
            (401, &["unauthorized"]),
            (429, &["rate_limited"]),
            (503, &["server_busy", "directory_unavailable"]),
        ],
    ),
    ("demo_outbox", &[(404, &["not_found"])]),
    ("admin_sign_in", &[(401, &["unauthorized"]), (429, &["rate_limited"])]),
    ("admin_sign_out", &[]),
    ("admin_find_users", ADMIN_READ),
    ("admin_get_user", &[(403, &["forbidden"]), (404, &["not_found"])]),
    ("admin_remove_method", ADMIN_ACT),
    ("admin_reset_mfa", ADMIN_ACT),
    ("admin_unlock_mfa", ADMIN_ACT),
    ("admin_disable", ADMIN_ACT),
    ("admin_enable", ADMIN_ACT),
    ("admin_revoke_app_password", ADMIN_ACT),
    ("admin_revoke_all_app_passwords", ADMIN_ACT),
    ("admin_set_policy", ADMIN_ACT),
    ("admin_audit", ADMIN_READ),
];

/// What a `validation_failed` of an operation can say of a field (`errors[].field` and
/// `errors[].code`) beyond its schema: refusals no schema can express, said here so a
/// client (and a fuzzer's reader) knows a schema-valid request may meet them.
const FIELD_REFUSALS: &[(&str, &str)] = &[
    (
        "change_password",
        "`new_password`: `too_short`, `too_long`, `same_as_current`, or `too_guessable` (a \
         password of any length can be easy to guess: refused when the zxcvbn estimate is \
         under 10^10 guesses, counting the account's username, name and organization as \
         known words; no schema can express this); `current_password`: `required`, \
         `too_long`, or `incorrect` (counted against the account's password budget).",
    ),
    ("verify_enrollment", VERIFY_REFUSALS),
    (
        "rename_method",
        "`name`: `not_renamable` (a text message, call or email method is named by its \
         masked destination: only a security key, passkey or authenticator app takes a name).",
    ),
    ("verify_challenge", VERIFY_REFUSALS),
];

const VERIFY_REFUSALS: &str = "`code`: `invalid_format` (not six digits once spaces and dashes \
     are removed), or `required` (the proof is a code's and a security key's answer came); \
     `credential`: `malformed` (not the JSON text of an object, as \
     `PublicKeyCredential.toJSON()` gives: not counted as a try), or `required` (the proof \
     is a security key's and a code came).";

const RESEND: Problems = &[
    (403, &["mfa_locked"]),
    (404, &["not_found"]),
    (409, &["no_code_to_send"]),
    (422, &["code_expired"]),
    (429, &["resend_too_soon", "rate_limited"]),
    (502, &["delivery_failed"]),
];

/// A change to the person's own methods (Security info): a fresh step-up needed, with a
/// key under the phishing-resistant policy.
const METHOD_CHANGE: Problems =
    &[(403, &["mfa_required", "phishing_resistant_required", "mfa_locked"]), (404, &["not_found"])];

const APP_PASSWORDS: Problems = &[(403, &["not_available", "mfa_required"])];

const ADMIN_READ: Problems = &[(403, &["forbidden"]), (422, &["validation_failed"])];

const ADMIN_ACT: Problems = &[(403, &["forbidden"]), (404, &["not_found"])];

/// A rule of `wire::rules` on a property of a request schema.
struct FieldRule {
    schema: &'static str,
    property: &'static str,
    pattern: Option<&'static str>,
    max: usize,
}

/// Operations that answer OAuth 2.0 errors (`error`, RFC 6749 §5.2) as their
/// annotations say, not problem documents: only the problems listed in `PROBLEMS` are
/// added to them.
const OAUTH_OPERATIONS: [&str; 1] = ["exchange_token"];

const FIELD_RULES: [FieldRule; 12] = [
    FieldRule {
        schema: "TokenExchangeRequest",
        property: "grant_type",
        pattern: Some("^urn:ietf:params:oauth:grant-type:token-exchange$"),
        max: 64,
    },
    FieldRule {
        schema: "TokenExchangeRequest",
        property: "subject_token_type",
        pattern: Some("^urn:ietf:params:oauth:token-type:(access_token|jwt|id_token)$"),
        max: 64,
    },
    FieldRule {
        schema: "TokenExchangeRequest",
        property: "subject_token",
        pattern: None,
        max: 16 * 1024,
    },
    FieldRule {
        schema: "AdminSessionRequest",
        property: "actor",
        pattern: Some(rules::NAME_PATTERN),
        max: 128,
    },
    FieldRule {
        schema: "SignInRequest",
        property: "username",
        pattern: Some(rules::USERNAME_PATTERN),
        max: rules::USERNAME_MAX,
    },
    FieldRule {
        schema: "SignInRequest",
        property: "password",
        pattern: None,
        max: rules::PASSWORD_MAX,
    },
    FieldRule {
        schema: "CreateAppPassword",
        property: "name",
        pattern: Some(rules::NAME_PATTERN),
        max: rules::NAME_MAX,
    },
    FieldRule {
        schema: "MethodName",
        property: "name",
        pattern: Some(rules::NAME_PATTERN),
        max: rules::NAME_MAX,
    },
    FieldRule {
        schema: "EnrollmentRequest",
        property: "name",
        pattern: Some(rules::NAME_PATTERN),
        max: rules::NAME_MAX,
    },
    FieldRule {
        schema: "EnrollmentRequest",
        property: "phone",
        pattern: Some(rules::PHONE_PATTERN),
        max: rules::PHONE_MAX,
    },
    FieldRule {
        schema: "CodeAnswer",
        property: "code",
        pattern: Some(rules::CODE_PATTERN),
        max: rules::CODE_MAX,
    },
    FieldRule {
        schema: "EnrollmentRequest",
        property: "email",
        pattern: Some(rules::EMAIL_PATTERN),
        max: rules::EMAIL_MAX,
    },
];

/// Follow-up operations a creation's answer leads to (stateful testing, and readers):
/// (operation, status, [(link name, operation it leads to)]), each passing the body's `id`.
type Links = &'static [(&'static str, &'static str)];

const LINKS: &[(&str, &str, Links)] = &[
    (
        "start_enrollment",
        "201",
        &[("verify", "verify_enrollment"), ("resend", "resend_enrollment_code")],
    ),
    (
        "start_challenge",
        "201",
        &[("verify", "verify_challenge"), ("resend", "resend_challenge_code")],
    ),
    ("create_app_password", "201", &[("revoke", "revoke_app_password")]),
];

fn problem_response(codes: &[&str]) -> Value {
    let listed: Vec<String> = codes.iter().map(|c| format!("`{c}`")).collect();
    json!({
        "description": format!("Problem: {}", listed.join(", ")),
        "content": { wire::PROBLEM_JSON: { "schema": { "$ref": "#/components/schemas/Problem" } } }
    })
}

/// Adds the problems, rules and links to the generated document.
fn complete(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for op in item.values_mut().filter_map(Value::as_object_mut) {
            let id = op.get("operationId").and_then(Value::as_str).unwrap_or_default().to_owned();
            let bearer = op
                .get("security")
                .and_then(Value::as_array)
                .is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
            let body = op.contains_key("requestBody");
            let mut problems: Vec<(u16, Vec<&str>)> = Vec::new();
            let mut add = |status: u16, codes: &[&'static str]| match problems
                .iter_mut()
                .find(|(s, _)| *s == status)
            {
                Some((_, listed)) => {
                    for code in codes {
                        if !listed.contains(code) {
                            listed.push(code);
                        }
                    }
                }
                None => problems.push((status, codes.to_vec())),
            };
            let oauth = OAUTH_OPERATIONS.contains(&id.as_str());
            if bearer {
                add(401, &["unauthorized", "session_expired"]);
            }
            if id != "live" && !oauth {
                add(503, &["unavailable"]);
            }
            if body && !oauth {
                add(400, &["bad_request"]);
                add(413, &["payload_too_large"]);
                add(415, &["bad_request"]);
                add(422, &["validation_failed"]);
            }
            for (_, by_status) in PROBLEMS.iter().filter(|(op_id, _)| *op_id == id) {
                for (status, codes) in *by_status {
                    add(*status, codes);
                }
            }
            let responses = op.entry("responses").or_insert_with(|| json!({}));
            if let Some(responses) = responses.as_object_mut() {
                for (status, codes) in &problems {
                    let mut response = problem_response(codes);
                    let refusals = FIELD_REFUSALS.iter().find(|(op_id, _)| *op_id == id);
                    if let (422, Some((_, fields))) = (status, refusals) {
                        let described = response["description"].as_str().unwrap_or_default();
                        response["description"] =
                            json!(format!("{described}. Fields refused: {fields}"));
                    }
                    responses.insert(status.to_string(), response);
                }
            }
            for (_, status, links) in LINKS.iter().filter(|(op_id, _, _)| *op_id == id) {
                let links: Map<String, Value> = links
                    .iter()
                    .map(|(name, target)| {
                        let link = json!({ "operationId": target, "parameters": { "id": "$response.body#/id" } });
                        ((*name).to_owned(), link)
                    })
                    .collect();
                if let Some(response) = op.get_mut("responses").and_then(|r| r.get_mut(*status)) {
                    response["links"] = Value::Object(links);
                }
            }
        }
    }
    let Some(schemas) = doc.pointer_mut("/components/schemas") else { return };
    for rule in &FIELD_RULES {
        let Some(schema) = schemas.get_mut(rule.schema) else { continue };
        // A tagged enum's variants each carry their own properties.
        let targets: Vec<&mut Value> = if schema.get("oneOf").is_some() {
            schema["oneOf"].as_array_mut().map(|v| v.iter_mut().collect()).unwrap_or_default()
        } else {
            vec![schema]
        };
        for target in targets {
            if let Some(field) = target.pointer_mut(&format!("/properties/{}", rule.property)) {
                field["minLength"] = json!(1);
                field["maxLength"] = json!(rule.max);
                if let Some(pattern) = rule.pattern {
                    field["pattern"] = json!(pattern);
                }
            }
        }
    }
    // A security key's answer is JSON text (OpenAPI 3.1: a string's media type).
    if let Some(credential) = schemas.pointer_mut("/KeyAnswer/properties/credential") {
        credential["contentMediaType"] = json!("application/json");
    }
    // A client's address is IPv4 or IPv6 (the annotation can only say string).
    if let Some(client) = schemas.pointer_mut("/LegacyVerification/properties/client") {
        let described = client.get("description").cloned().unwrap_or_default();
        *client = json!({
            "description": described,
            "anyOf": [{ "type": "string", "format": "ipv4" }, { "type": "string", "format": "ipv6" }]
        });
    }
    // The Idempotency-Key header has its rule too.
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for param in paths
            .values_mut()
            .filter_map(Value::as_object_mut)
            .flat_map(|item| item.values_mut())
            .filter_map(|op| op.get_mut("parameters").and_then(Value::as_array_mut))
            .flatten()
            .filter(|p| p["name"] == wire::IDEMPOTENCY_KEY)
        {
            param["schema"]["pattern"] = json!(rules::IDEMPOTENCY_KEY_PATTERN);
        }
    }
}

/// The document as served and as checked in.
pub fn document() -> String {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    complete(&mut doc);
    super::openapi_scim::add(&mut doc);
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

pub async fn get() -> impl axum::response::IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], document())
}
