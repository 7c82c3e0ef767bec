//! SCIM 2.0 (RFC 7643/7644) requests as this endpoint understands them, parsed once at
//! the edge: the list filter (the subset `ServiceProviderConfig` announces), Users and
//! Groups as identity systems send them (POST, PUT) and the PATCH operations they send.
//! What is not understood is refused with the SCIM error type that says why
//! (`scimType`), never half-applied.
//!
//! Attributes of the core User schema this endpoint does not keep (`name`, `title`,
//! `phoneNumbers`, the enterprise extension…) are accepted and ignored, as RFC 7644
//! allows, so an identity system's default mappings work; an attribute no schema
//! defines is refused.

use secrecy::SecretString;
use serde_json::{Map, Value};

use super::accounts::{parse_display_name, Username};
use super::is_unsafe_char;

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE_SCHEMA: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const SEARCH_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

/// Why a SCIM request is refused (RFC 7644 §3.12 `scimType`), with the detail shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimRefusal {
    pub scim_type: &'static str,
    pub detail: String,
}

impl ScimRefusal {
    pub fn new(scim_type: &'static str, detail: impl Into<String>) -> Self {
        Self { scim_type, detail: detail.into() }
    }
}

type Parsed<T> = Result<T, ScimRefusal>;

/// The attribute a supported filter compares (`attr eq "value"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterAttr {
    UserName,
    ExternalId,
    /// `emails.value` (or `emails[value eq …]`'s short form): a person's address is
    /// their username here.
    Email,
    /// A group's name.
    DisplayName,
}

/// A supported filter: one attribute equal to one string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub attr: FilterAttr,
    pub value: String,
}

/// The longest filter read (a list request is not a place for essays).
const MAX_FILTER: usize = 1024;

/// Parses `filter` (RFC 7644 §3.4.2.2), of which this endpoint supports
/// `userName`, `externalId`, `emails.value` (Users) and `displayName` (Groups) with `eq`
/// and a string (attribute names and the operator in any case, as the RFC says; the
/// schema URN prefix allowed). Anything else is `invalidFilter`, saying what is
/// supported; the route refuses an attribute its resource does not have.
pub fn parse_filter(filter: &str) -> Parsed<Filter> {
    let unsupported = || {
        ScimRefusal::new(
            "invalidFilter",
            "Supported filters: userName, externalId or emails.value eq \"a string\" \
             (Users); displayName or externalId eq \"a string\" (Groups).",
        )
    };
    if filter.len() > MAX_FILTER {
        return Err(unsupported());
    }
    let filter = filter.trim();
    let (attr, rest) = filter.split_once(char::is_whitespace).ok_or_else(unsupported)?;
    let (op, value) = rest.trim_start().split_once(char::is_whitespace).ok_or_else(unsupported)?;
    if !op.eq_ignore_ascii_case("eq") {
        return Err(unsupported());
    }
    let attr = without_schema(attr).to_ascii_lowercase();
    let attr = match attr.as_str() {
        "username" => FilterAttr::UserName,
        "externalid" => FilterAttr::ExternalId,
        "emails.value" | "emails" => FilterAttr::Email,
        "displayname" => FilterAttr::DisplayName,
        _ => return Err(unsupported()),
    };
    // The value is a JSON string (quotes, escapes): read it as one.
    let value = value.trim();
    if !value.starts_with('"') {
        return Err(unsupported());
    }
    let value: String = serde_json::from_str(value).map_err(|_| unsupported())?;
    Ok(Filter { attr, value })
}

/// An attribute path without the core schema's URN in front of it.
pub fn without_schema(path: &str) -> &str {
    [USER_SCHEMA, GROUP_SCHEMA]
        .iter()
        .find_map(|urn| path.strip_prefix(urn).and_then(|p| p.strip_prefix(':')))
        .unwrap_or(path)
}

/// What a SCIM client says of a User: all of it (POST, PUT: `parse_user`) or what a
/// PATCH changes (`parse_user_patch`). `None`: not said, left as it is.
#[derive(Debug, Default)]
pub struct UserPatch {
    pub user_name: Option<Username>,
    pub display_name: Option<String>,
    pub active: Option<bool>,
    /// `Some(None)`: removed.
    pub external_id: Option<Option<String>>,
    /// Write-only, never returned. `Some(None)`: removed (the person then signs in only
    /// through the directory or single sign-on).
    pub password: Option<Option<SecretString>>,
}

/// The core User attributes this endpoint accepts without keeping them (RFC 7643's
/// spelling; names are matched in any case: `ignored`).
pub const USER_IGNORED: &[&str] = &[
    "name",
    "nickName",
    "profileUrl",
    "title",
    "userType",
    "preferredLanguage",
    "locale",
    "timezone",
    "emails",
    "phoneNumbers",
    "ims",
    "photos",
    "addresses",
    "groups",
    "entitlements",
    "roles",
    "x509Certificates",
];

/// Whether `name` (any case) is a core User attribute accepted and not kept.
fn ignored(name: &str) -> bool {
    USER_IGNORED.iter().any(|kept| kept.eq_ignore_ascii_case(name))
}

/// The object's attributes, names lower-cased (SCIM names are case-insensitive).
fn attributes(body: &Value) -> Parsed<Vec<(String, &Value)>> {
    let object: &Map<String, Value> = body
        .as_object()
        .ok_or_else(|| ScimRefusal::new("invalidSyntax", "The body is not a JSON object."))?;
    Ok(object.iter().map(|(k, v)| (k.to_ascii_lowercase(), v)).collect())
}

/// Refuses a document whose `schemas` does not list `schema` (in any case).
pub fn lists_schema(body: &Value, schema: &str) -> Parsed<()> {
    let schemas = body.get("schemas").and_then(Value::as_array);
    if schemas.is_some_and(|s| {
        s.iter().any(|v| v.as_str().is_some_and(|v| v.eq_ignore_ascii_case(schema)))
    }) {
        Ok(())
    } else {
        Err(ScimRefusal::new("invalidSyntax", format!("schemas must list {schema}.")))
    }
}

fn unknown(name: &str, resource: &str) -> ScimRefusal {
    ScimRefusal::new("invalidSyntax", format!("{name:?} is not an attribute of a {resource}."))
}

/// Reads a whole User (POST, PUT). `userName` is required; `displayName`, when absent,
/// is taken from `name` (formatted, or given and family names), then the `userName`;
/// `externalId` absent is none; `active` and `password` absent are not said (the route
/// decides: a new person is active; a replaced one keeps their password).
pub fn parse_user(body: &Value) -> Parsed<UserPatch> {
    lists_schema(body, USER_SCHEMA)?;
    let mut user = UserPatch { external_id: Some(None), ..UserPatch::default() };
    let mut name = None;
    for (attr, value) in attributes(body)? {
        match attr.as_str() {
            "schemas" | "id" | "meta" => {}
            "name" => name = value.as_object(),
            a if ignored(a) => {}
            a if a.eq_ignore_ascii_case(ENTERPRISE_SCHEMA) => {}
            a @ ("username" | "displayname" | "active" | "externalid" | "password") => {
                set_user(&mut user, a, value)?
            }
            a => return Err(unknown(a, "User")),
        }
    }
    if user.user_name.is_none() {
        return Err(ScimRefusal::new("invalidValue", "userName is required."));
    }
    if user.display_name.is_none() {
        let part = |k: &str| name.and_then(|n| n.get(k)).and_then(Value::as_str);
        let from_name = part("formatted").map(str::to_owned).or_else(|| {
            let parts: Vec<&str> =
                [part("givenName"), part("familyName")].into_iter().flatten().collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        });
        user.display_name = from_name
            .as_deref()
            .and_then(parse_display_name)
            .or_else(|| user.user_name.as_ref().map(|u| u.as_str().to_owned()));
    }
    Ok(user)
}

/// Reads a PatchOp (RFC 7644 §3.5.2) of a User in the shapes identity systems send:
/// `replace` or `add` by path, or of an object of attributes without a path (Okta);
/// `remove` of `externalId` or `password`; operation names in any case; `active` as a
/// boolean or, as Entra ID sends it, the string `"True"`/`"False"`. Any other operation
/// or path is refused, and the whole PATCH with it.
pub fn parse_user_patch(body: &Value) -> Parsed<UserPatch> {
    let mut patch = UserPatch::default();
    for op in operations(body)? {
        let path = op.path.map(without_schema);
        let head = path.map(|p| p.split(['.', '[']).next().unwrap_or(p).to_ascii_lowercase());
        match (op.kind, path, head.as_deref()) {
            (_, Some(p), _)
                if p.to_ascii_lowercase().starts_with(&ENTERPRISE_SCHEMA.to_ascii_lowercase()) => {}
            (_, _, Some(head)) if ignored(head) => {}
            (Op::Remove, Some(p), _) => match p.to_ascii_lowercase().as_str() {
                "externalid" => patch.external_id = Some(None),
                "password" => patch.password = Some(None),
                other => {
                    return Err(ScimRefusal::new(
                        "mutability",
                        format!("{other:?} cannot be removed: only externalId and password can."),
                    ))
                }
            },
            (Op::Remove, None, _) => return Err(no_remove_path()),
            (Op::Set, Some(p), _) => set_user(&mut patch, &p.to_ascii_lowercase(), op.value()?)?,
            (Op::Set, None, _) => {
                for (attr, value) in attributes(op.value()?)? {
                    match attr.as_str() {
                        "id" | "schemas" | "meta" => {}
                        a if ignored(a) => {}
                        a if a.eq_ignore_ascii_case(ENTERPRISE_SCHEMA) => {}
                        a => set_user(&mut patch, without_schema(a), value)?,
                    }
                }
            }
        }
    }
    Ok(patch)
}

/// Sets one User attribute (`attr` lower-cased) from its value.
fn set_user(user: &mut UserPatch, attr: &str, value: &Value) -> Parsed<()> {
    match attr {
        "username" => {
            user.user_name = Some(value.as_str().and_then(Username::parse).ok_or_else(|| {
                ScimRefusal::new(
                    "invalidValue",
                    "userName: 1 to 254 characters, no spaces, control or direction characters.",
                )
            })?);
        }
        "displayname" => user.display_name = Some(display_name(value)?),
        "active" => {
            let active = match value {
                Value::Bool(b) => Some(*b),
                Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
                Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
                _ => None,
            };
            user.active = Some(
                active.ok_or_else(|| ScimRefusal::new("invalidValue", "active is a boolean."))?,
            );
        }
        "externalid" => user.external_id = Some(external_id(value)?),
        "password" => {
            let password =
                value.as_str().filter(|p| wire::rules::password(p).is_ok()).ok_or_else(|| {
                    ScimRefusal::new("invalidValue", "password: 1 to 1024 characters.")
                })?;
            user.password = Some(Some(SecretString::from(password.to_owned())));
        }
        other => return Err(unknown_path(other, "User")),
    }
    Ok(())
}

fn unknown_path(path: &str, resource: &str) -> ScimRefusal {
    ScimRefusal::new("invalidPath", format!("{path:?} is not an attribute of a {resource} here."))
}

fn no_remove_path() -> ScimRefusal {
    ScimRefusal::new("noTarget", "A remove operation names its path.")
}

fn display_name(value: &Value) -> Parsed<String> {
    value.as_str().and_then(parse_display_name).ok_or_else(|| {
        ScimRefusal::new(
            "invalidValue",
            "displayName: 1 to 128 characters, no control or direction characters.",
        )
    })
}

/// An `externalId`: 1 to 256 characters, nothing that disguises text; `null` is none.
fn external_id(value: &Value) -> Parsed<Option<String>> {
    match value {
        Value::Null => Ok(None),
        Value::String(s)
            if (1..=256).contains(&s.chars().count()) && !s.chars().any(is_unsafe_char) =>
        {
            Ok(Some(s.clone()))
        }
        _ => Err(ScimRefusal::new(
            "invalidValue",
            "externalId: 1 to 256 characters, no control or direction characters.",
        )),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// `add` or `replace`: what this endpoint keeps is single-valued, or (members) a set.
    Set,
    Remove,
}

struct Operation<'a> {
    kind: Op,
    /// `replace` (members: the whole set) rather than `add`.
    replace: bool,
    path: Option<&'a str>,
    value: Option<&'a Value>,
}

impl<'a> Operation<'a> {
    fn value(&self) -> Parsed<&'a Value> {
        self.value.ok_or_else(|| ScimRefusal::new("invalidValue", "An operation without a value."))
    }
}

/// The operations of a PatchOp: 1 to 100, each add, replace or remove.
fn operations(body: &Value) -> Parsed<Vec<Operation<'_>>> {
    lists_schema(body, PATCH_OP)?;
    let ops = body
        .get("Operations")
        .and_then(Value::as_array)
        .filter(|ops| !ops.is_empty() && ops.len() <= 100)
        .ok_or_else(|| ScimRefusal::new("invalidSyntax", "Operations: 1 to 100 operations."))?;
    ops.iter()
        .map(|op| {
            let name =
                op.get("op").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase();
            let kind = match name.as_str() {
                "add" | "replace" => Op::Set,
                "remove" => Op::Remove,
                _ => {
                    return Err(ScimRefusal::new(
                        "invalidSyntax",
                        format!("op {name:?}: add, replace or remove."),
                    ))
                }
            };
            let path = match op.get("path") {
                None | Some(Value::Null) => None,
                Some(Value::String(p)) if !p.trim().is_empty() => Some(p.trim()),
                Some(_) => return Err(ScimRefusal::new("invalidPath", "path is a string.")),
            };
            Ok(Operation { kind, replace: name == "replace", path, value: op.get("value") })
        })
        .collect()
}

/// A Group as a SCIM client sends it whole (POST, PUT): its members by User id.
#[derive(Debug)]
pub struct GroupDoc {
    pub display_name: String,
    pub external_id: Option<String>,
    pub members: Vec<String>,
}

/// A change to a Group's members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Members {
    Add(Vec<String>),
    Remove(Vec<String>),
    /// The whole set (empty: every member removed).
    Replace(Vec<String>),
}

impl Members {
    /// The account ids this change names.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        let (Self::Add(ids) | Self::Remove(ids) | Self::Replace(ids)) = self;
        ids.iter().map(String::as_str)
    }
}

/// What a PATCH changes of a Group; member changes in the order sent.
#[derive(Debug, Default)]
pub struct GroupPatch {
    pub display_name: Option<String>,
    /// `Some(None)`: removed.
    pub external_id: Option<Option<String>>,
    pub members: Vec<Members>,
}

/// The most members one request names (a larger group is sent in several PATCHes, as
/// Entra ID and Okta do).
pub const MAX_MEMBERS: usize = 1000;

/// Reads a whole Group (POST, PUT): `displayName` required, `externalId`, `members`.
pub fn parse_group(body: &Value) -> Parsed<GroupDoc> {
    lists_schema(body, GROUP_SCHEMA)?;
    let (mut display, mut external, mut members) = (None, None, Vec::new());
    for (attr, value) in attributes(body)? {
        match attr.as_str() {
            "schemas" | "id" | "meta" => {}
            "displayname" => display = Some(display_name(value)?),
            "externalid" => external = external_id(value)?,
            "members" => members = member_ids(value)?,
            other => return Err(unknown(other, "Group")),
        }
    }
    let display_name =
        display.ok_or_else(|| ScimRefusal::new("invalidValue", "displayName is required."))?;
    Ok(GroupDoc { display_name, external_id: external, members })
}

/// Reads a PatchOp of a Group as Entra ID and Okta send them: members added, removed
/// (by a `members` value list, or `members[value eq "id"]`) or replaced; `displayName`
/// and `externalId` replaced (by path, or Okta's path-less object).
pub fn parse_group_patch(body: &Value) -> Parsed<GroupPatch> {
    let mut patch = GroupPatch::default();
    for op in operations(body)? {
        let path = op.path.map(|p| without_schema(p).to_ascii_lowercase());
        match (op.kind, path.as_deref()) {
            (Op::Set, Some("members")) => {
                let ids = member_ids(op.value()?)?;
                patch.members.push(if op.replace {
                    Members::Replace(ids)
                } else {
                    Members::Add(ids)
                });
            }
            (Op::Set, Some("displayname")) => patch.display_name = Some(display_name(op.value()?)?),
            (Op::Set, Some("externalid")) => patch.external_id = Some(external_id(op.value()?)?),
            (Op::Set, None) => {
                for (attr, value) in attributes(op.value()?)? {
                    match attr.as_str() {
                        "id" | "schemas" | "meta" => {}
                        "displayname" => patch.display_name = Some(display_name(value)?),
                        "externalid" => patch.external_id = Some(external_id(value)?),
                        "members" => {
                            let ids = member_ids(value)?;
                            patch.members.push(if op.replace {
                                Members::Replace(ids)
                            } else {
                                Members::Add(ids)
                            });
                        }
                        other => return Err(unknown_path(other, "Group")),
                    }
                }
            }
            (Op::Remove, Some("members")) => patch.members.push(match op.value {
                Some(value) => Members::Remove(member_ids(value)?),
                None => Members::Replace(Vec::new()),
            }),
            (Op::Remove, Some("externalid")) => patch.external_id = Some(None),
            (Op::Remove, Some(p)) if p.starts_with("members[") => {
                // `members[value eq "id"]`, as the original path (the id keeps its case).
                let original = without_schema(op.path.unwrap_or_default());
                patch.members.push(Members::Remove(vec![member_filter(original)?]));
            }
            (Op::Remove, None) => return Err(no_remove_path()),
            (Op::Remove, Some("displayname")) => {
                return Err(ScimRefusal::new("mutability", "displayName is required."))
            }
            (_, Some(other)) => return Err(unknown_path(other, "Group")),
        }
    }
    Ok(patch)
}

/// The User ids of a `members` value: `[{"value": "id"}, …]`.
fn member_ids(value: &Value) -> Parsed<Vec<String>> {
    let bad = || {
        ScimRefusal::new(
            "invalidValue",
            format!("members: a list of at most {MAX_MEMBERS} {{\"value\": \"a User id\"}}."),
        )
    };
    let list = value.as_array().filter(|l| l.len() <= MAX_MEMBERS).ok_or_else(bad)?;
    list.iter()
        .map(|m| {
            m.get("value")
                .and_then(Value::as_str)
                .filter(|id| (1..=64).contains(&id.chars().count()))
                .map(str::to_owned)
                .ok_or_else(bad)
        })
        .collect()
}

/// The id in `members[value eq "id"]`.
fn member_filter(path: &str) -> Parsed<String> {
    let bad = || ScimRefusal::new("invalidPath", "A member is named as members[value eq \"id\"].");
    let inner =
        path.get("members[".len()..).and_then(|p| p.strip_suffix(']')).ok_or_else(bad)?.trim();
    let (attr, rest) = inner.split_once(char::is_whitespace).ok_or_else(bad)?;
    let (op, value) = rest.trim_start().split_once(char::is_whitespace).ok_or_else(bad)?;
    if !attr.eq_ignore_ascii_case("value") || !op.eq_ignore_ascii_case("eq") {
        return Err(bad());
    }
    let id: String = serde_json::from_str(value.trim()).map_err(|_| bad())?;
    (1..=64).contains(&id.len()).then_some(id).ok_or_else(bad)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_supported_filters_are_read_in_any_case_with_json_strings() {
        let f = parse_filter(r#"userName eq "ada@contoso.example""#).unwrap();
        assert_eq!((f.attr, f.value.as_str()), (FilterAttr::UserName, "ada@contoso.example"));
        let f = parse_filter(r#"  USERNAME  EQ  "a\"b"  "#).unwrap();
        assert_eq!((f.attr, f.value.as_str()), (FilterAttr::UserName, "a\"b"));
        let f = parse_filter(r#"urn:ietf:params:scim:schemas:core:2.0:User:externalId eq "7""#);
        assert_eq!(f.unwrap().attr, FilterAttr::ExternalId);
        assert_eq!(parse_filter(r#"emails.value eq "x""#).unwrap().attr, FilterAttr::Email);
    }

    #[test]
    fn anything_else_is_an_invalid_filter_never_a_guess() {
        for f in [
            "",
            "userName",
            r#"userName ne "a""#,
            r#"userName co "a""#,
            r#"userName eq a"#,
            r#"userName eq "a" or userName eq "b""#,
            r#"userName eq "a"#,
            r#"nickName eq "a""#,
            r#"userName pr"#,
            &format!("userName eq \"{}\"", "a".repeat(2000)),
        ] {
            assert_eq!(parse_filter(f).unwrap_err().scim_type, "invalidFilter", "{f}");
        }
    }

    #[test]
    fn patches_are_read_as_entra_and_okta_send_them() {
        let entra = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "Replace", "path": "active", "value": "False"}]});
        assert_eq!(parse_user_patch(&entra).unwrap().active, Some(false));
        let okta = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "value": {"active": true, "displayName": "Ada L"}}]});
        let patch = parse_user_patch(&okta).unwrap();
        assert_eq!((patch.active, patch.display_name.as_deref()), (Some(true), Some("Ada L")));
    }

    #[test]
    fn unknown_operations_paths_and_values_are_refused_as_a_whole() {
        let op = |o: Value| json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [o]});
        let cases = [
            (
                json!({"Operations": [{"op": "replace", "path": "active", "value": false}]}),
                "invalidSyntax",
            ),
            (op(json!({"op": "remove", "path": "active"})), "mutability"),
            (op(json!({"op": "remove"})), "noTarget"),
            (op(json!({"op": "move", "path": "active", "value": true})), "invalidSyntax"),
            (op(json!({"op": "replace", "path": "favouriteColour", "value": "x"})), "invalidPath"),
            (op(json!({"op": "replace", "path": "userName", "value": "a b"})), "invalidValue"),
            (op(json!({"op": "replace", "path": "externalId", "value": 7})), "invalidValue"),
            (op(json!({"op": "replace", "path": "password", "value": ""})), "invalidValue"),
            (op(json!({"op": "replace", "path": "active", "value": "maybe"})), "invalidValue"),
            (
                op(json!({"op": "replace", "path": "displayName", "value": "a\u{202e}b"})),
                "invalidValue",
            ),
            (op(json!({"op": "replace", "path": "active"})), "invalidValue"),
        ];
        for (body, scim_type) in cases {
            assert_eq!(parse_user_patch(&body).unwrap_err().scim_type, scim_type, "{body}");
        }
    }

    #[test]
    fn a_whole_user_is_read_with_the_attributes_entra_and_okta_send() {
        let entra = json!({
            "schemas": [USER_SCHEMA, ENTERPRISE_SCHEMA],
            "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c12bed4b",
            "userName": "Ada.Lovelace@contoso.example",
            "active": true,
            "emails": [{"primary": true, "type": "work", "value": "ada.lovelace@contoso.example"}],
            "name": {"formatted": "Ada Lovelace", "familyName": "Lovelace", "givenName": "Ada"},
            "title": "Analyst",
            ENTERPRISE_SCHEMA: {"department": "Engines"},
        });
        let user = parse_user(&entra).unwrap();
        assert_eq!(user.user_name.unwrap().as_str(), "ada.lovelace@contoso.example");
        assert_eq!(user.display_name.as_deref(), Some("Ada Lovelace"), "from name.formatted");
        assert_eq!(user.external_id, Some(Some("0a21f0f2-8d2a-4f8e-bf98-7363c12bed4b".into())));
        assert_eq!(user.active, Some(true));
        assert!(user.password.is_none());
        let okta = json!({"schemas": [USER_SCHEMA], "userName": "grace@contoso.example",
            "name": {"givenName": "Grace", "familyName": "Hopper"}, "password": "pw-synced-1"});
        let user = parse_user(&okta).unwrap();
        assert_eq!(user.display_name.as_deref(), Some("Grace Hopper"));
        assert!(matches!(user.password, Some(Some(_))));
        assert_eq!(user.external_id, Some(None), "absent from a whole User: none");
    }

    #[test]
    fn a_whole_user_without_a_name_or_with_an_unknown_attribute_is_refused() {
        for (body, scim_type) in [
            (json!({"schemas": [USER_SCHEMA]}), "invalidValue"),
            (json!({"schemas": [USER_SCHEMA], "userName": "a", "shoeSize": 44}), "invalidSyntax"),
            (
                json!({"schemas": [USER_SCHEMA], "userName": "a", "urn:example:custom": {}}),
                "invalidSyntax",
            ),
            (json!({"schemas": [GROUP_SCHEMA], "userName": "a"}), "invalidSyntax"),
            (json!({"schemas": [USER_SCHEMA], "userName": "a", "active": "yes"}), "invalidValue"),
            (json!([1]), "invalidSyntax"),
        ] {
            assert_eq!(parse_user(&body).unwrap_err().scim_type, scim_type, "{body}");
        }
    }

    #[test]
    fn group_patches_are_read_as_entra_and_okta_send_them() {
        let op = |o: Value| json!({"schemas": [PATCH_OP], "Operations": [o]});
        let add = op(
            json!({"op": "Add", "path": "members", "value": [{"value": "a1"}, {"value": "b2"}]}),
        );
        let patch = parse_group_patch(&add).unwrap();
        assert_eq!(patch.members, vec![Members::Add(vec!["a1".into(), "b2".into()])]);
        let entra_remove =
            op(json!({"op": "Remove", "path": "members", "value": [{"value": "a1"}]}));
        assert_eq!(
            parse_group_patch(&entra_remove).unwrap().members,
            vec![Members::Remove(vec!["a1".into()])]
        );
        let okta_remove = op(json!({"op": "remove", "path": "members[value eq \"Ab3\"]"}));
        assert_eq!(
            parse_group_patch(&okta_remove).unwrap().members,
            vec![Members::Remove(vec!["Ab3".into()])]
        );
        let all = op(json!({"op": "remove", "path": "members"}));
        assert_eq!(parse_group_patch(&all).unwrap().members, vec![Members::Replace(Vec::new())]);
        let okta_rename = op(json!({"op": "replace", "value": {"id": "g", "displayName": "MFA"}}));
        assert_eq!(parse_group_patch(&okta_rename).unwrap().display_name.as_deref(), Some("MFA"));
        for (body, scim_type) in [
            (
                op(json!({"op": "add", "path": "members", "value": [{"display": "x"}]})),
                "invalidValue",
            ),
            (op(json!({"op": "remove", "path": "members[display eq \"x\"]"})), "invalidPath"),
            (op(json!({"op": "remove", "path": "displayName"})), "mutability"),
            (op(json!({"op": "add", "path": "owners", "value": []})), "invalidPath"),
        ] {
            assert_eq!(parse_group_patch(&body).unwrap_err().scim_type, scim_type, "{body}");
        }
        let many: Vec<Value> = (0..=MAX_MEMBERS).map(|i| json!({"value": i.to_string()})).collect();
        let huge = op(json!({"op": "add", "path": "members", "value": many}));
        assert_eq!(parse_group_patch(&huge).unwrap_err().scim_type, "invalidValue");
    }
}
