//! SCIM 2.0 (RFC 7643/7644) requests as this endpoint understands them, parsed once at
//! the edge: the list filter (the subset `ServiceProviderConfig` announces) and the
//! PATCH operations identity systems send. What is not understood is refused with the
//! SCIM error type that says why (`scimType`), never half-applied.

use serde_json::Value;

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

/// The attribute a supported filter compares (`attr eq "value"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterAttr {
    UserName,
    ExternalId,
    /// `emails.value` (or `emails[value eq …]`'s short form): a person's address is
    /// their username here.
    Email,
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
/// `userName`, `externalId` and `emails.value` with `eq` and a string (attribute names
/// and the operator in any case, as the RFC says; the schema URN prefix allowed).
/// Anything else is `invalidFilter`, saying what is supported.
pub fn parse_filter(filter: &str) -> Result<Filter, ScimRefusal> {
    let unsupported = || {
        ScimRefusal::new(
            "invalidFilter",
            "Supported filters: userName, externalId or emails.value eq \"a string\".",
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
    let attr = attr
        .strip_prefix("urn:ietf:params:scim:schemas:core:2.0:User:")
        .unwrap_or(attr)
        .to_ascii_lowercase();
    let attr = match attr.as_str() {
        "username" => FilterAttr::UserName,
        "externalid" => FilterAttr::ExternalId,
        "emails.value" | "emails" => FilterAttr::Email,
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

/// What a PATCH asks of a User, as far as this endpoint keeps it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserPatch {
    pub active: Option<bool>,
    pub display_name: Option<String>,
}

/// Reads a PatchOp (RFC 7644 §3.5.2) in the shapes identity systems send: `replace` (or
/// `add`) of `active` / `displayName` by path, or of an object of them without a path
/// (Okta); operation names in any case; `active` as a boolean or, as Entra ID sends it,
/// the string `"True"`/`"False"`. Any other operation or path is refused as a whole.
pub fn parse_patch(body: &Value) -> Result<UserPatch, ScimRefusal> {
    const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
    let schemas = body.get("schemas").and_then(Value::as_array);
    if !schemas.is_some_and(|s| s.iter().any(|v| v == PATCH_OP)) {
        return Err(ScimRefusal::new("invalidSyntax", format!("schemas must list {PATCH_OP}.")));
    }
    let ops = body
        .get("Operations")
        .and_then(Value::as_array)
        .filter(|ops| !ops.is_empty() && ops.len() <= 100)
        .ok_or_else(|| ScimRefusal::new("invalidSyntax", "Operations: 1 to 100 operations."))?;
    let mut patch = UserPatch::default();
    for op in ops {
        let name = op.get("op").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase();
        if name != "replace" && name != "add" {
            return Err(ScimRefusal::new(
                "invalidSyntax",
                format!("op {name:?}: only replace and add are supported on a User."),
            ));
        }
        let value = op
            .get("value")
            .ok_or_else(|| ScimRefusal::new("invalidValue", "An operation without a value."))?;
        match op.get("path").and_then(Value::as_str) {
            Some(path) => set(&mut patch, path, value)?,
            None => {
                let fields = value.as_object().ok_or_else(|| {
                    ScimRefusal::new("invalidValue", "Without a path, the value is an object.")
                })?;
                for (path, value) in fields {
                    set(&mut patch, path, value)?;
                }
            }
        }
    }
    Ok(patch)
}

fn set(patch: &mut UserPatch, path: &str, value: &Value) -> Result<(), ScimRefusal> {
    let path = path.strip_prefix("urn:ietf:params:scim:schemas:core:2.0:User:").unwrap_or(path);
    match path.to_ascii_lowercase().as_str() {
        "active" => {
            let active = match value {
                Value::Bool(b) => Some(*b),
                Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
                Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
                _ => None,
            };
            patch.active = Some(
                active.ok_or_else(|| ScimRefusal::new("invalidValue", "active is a boolean."))?,
            );
        }
        "displayname" => {
            let name =
                value.as_str().and_then(super::accounts::parse_display_name).ok_or_else(|| {
                    ScimRefusal::new(
                        "invalidValue",
                        "displayName: 1 to 128 characters, no control or direction characters.",
                    )
                })?;
            patch.display_name = Some(name);
        }
        other => {
            return Err(ScimRefusal::new(
                "invalidPath",
                format!("{other:?}: the paths supported on a User are active and displayName."),
            ))
        }
    }
    Ok(())
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
            r#"displayName eq "a""#,
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
        assert_eq!(parse_patch(&entra).unwrap().active, Some(false));
        let okta = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "value": {"active": true, "displayName": "Ada L"}}]});
        let patch = parse_patch(&okta).unwrap();
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
            (op(json!({"op": "remove", "path": "active"})), "invalidSyntax"),
            (op(json!({"op": "replace", "path": "nickName", "value": "x"})), "invalidPath"),
            (op(json!({"op": "replace", "path": "active", "value": "maybe"})), "invalidValue"),
            (
                op(json!({"op": "replace", "path": "displayName", "value": "a\u{202e}b"})),
                "invalidValue",
            ),
            (op(json!({"op": "replace", "path": "active"})), "invalidValue"),
        ];
        for (body, scim_type) in cases {
            assert_eq!(parse_patch(&body).unwrap_err().scim_type, scim_type, "{body}");
        }
    }
}
