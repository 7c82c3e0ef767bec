//! Compiles the message files (src/i18n/*.ftl) into a table: one `Msg` variant per
//! key, one array of strings per language. A key missing from a language, a stray
//! key, or a placeholder that differs between languages fails the build, so a
//! translation can never be silently missing at run time.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

/// The message sets: what the first module shows (`Msg`: sign-in, the header, errors),
/// the screens after sign-in's (`JourneyMsg`: its table is reached from those screens
/// only, so it comes with their chunk, src/lazy.rs) and the admin mode's (`AdminMsg`,
/// only in the admin bundle: its table is reached from admin code only).
/// Each: the enum, the files per language (English first: the reference), the tables.
const SETS: [(&str, [(&str, &str); 2]); 3] = [
    ("Msg", [("EN", "en.ftl"), ("FR", "fr.ftl")]),
    ("JourneyMsg", [("JOURNEY_EN", "journey-en.ftl"), ("JOURNEY_FR", "journey-fr.ftl")]),
    ("AdminMsg", [("ADMIN_EN", "admin-en.ftl"), ("ADMIN_FR", "admin-fr.ftl")]),
];

struct Entry {
    key: String,
    text: String,
}

fn parse(path: &Path) -> Result<Vec<Entry>, String> {
    let src = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out: Vec<Entry> = Vec::new();
    for (n, line) in src.lines().enumerate() {
        let line = line.trim_end();
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, text)) = line.split_once(" = ") else {
            return Err(format!("{}:{}: expected `key = text`", path.display(), n + 1));
        };
        let key = key.trim();
        if !key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
            return Err(format!("{}:{}: bad key `{key}`", path.display(), n + 1));
        }
        if out.iter().any(|e| e.key == key) {
            return Err(format!("{}:{}: duplicate key `{key}`", path.display(), n + 1));
        }
        out.push(Entry { key: key.to_owned(), text: text.trim().to_owned() });
    }
    Ok(out)
}

fn placeholders(text: &str) -> BTreeSet<String> {
    text.split("{ $")
        .skip(1)
        .filter_map(|s| s.split_once(" }"))
        .map(|(v, _)| v.to_owned())
        .collect()
}

fn variant(key: &str) -> String {
    key.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

/// Writes every message set into `$OUT_DIR/messages.rs` (src/i18n.rs includes it).
pub fn compile_all() -> Result<(), String> {
    println!("cargo::rerun-if-changed=src/i18n");
    let mut code = String::new();
    for (enum_name, langs) in SETS {
        compile(enum_name, &langs, &mut code)?;
    }
    let out = Path::new(&std::env::var("OUT_DIR").map_err(|e| e.to_string())?).join("messages.rs");
    std::fs::write(out, code).map_err(|e| e.to_string())
}

fn compile(enum_name: &str, langs: &[(&str, &str)], code: &mut String) -> Result<(), String> {
    let dir = Path::new("src/i18n");
    let tables: Vec<(&str, Vec<Entry>)> = langs
        .iter()
        .map(|(name, file)| parse(&dir.join(file)).map(|t| (*name, t)))
        .collect::<Result<_, _>>()?;
    let (_, base) = &tables[0];
    let reference = langs[0].1;
    let _ = write!(
        code,
        "/// One variant per message key of src/i18n/{reference}.\n\
         #[derive(Clone, Copy, Debug, PartialEq, Eq)]\npub enum {enum_name} {{\n"
    );
    for e in base {
        let _ = writeln!(code, "    /// {}\n    {},", e.text.replace('\n', " "), variant(&e.key));
    }
    code.push_str("}\n");
    for (name, table) in &tables {
        for e in table {
            if !base.iter().any(|b| b.key == e.key) {
                return Err(format!("{name}: key `{}` is not in {reference}", e.key));
            }
        }
        let _ = writeln!(code, "#[allow(dead_code)]\nconst {name}: [&str; {}] = [", base.len());
        for b in base {
            let Some(e) = table.iter().find(|e| e.key == b.key) else {
                return Err(format!("{name}: key `{}` is missing", b.key));
            };
            if placeholders(&e.text) != placeholders(&b.text) {
                return Err(format!("{name}: `{}` has other placeholders than {reference}", b.key));
            }
            let _ = writeln!(code, "    {:?},", e.text);
        }
        code.push_str("];\n");
    }
    Ok(())
}
