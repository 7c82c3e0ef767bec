//! Serving the built app (dist/): precompressed copies chosen by Accept-Encoding
//! (brotli, gzip, or the file itself), content-hashed files cached for a year as
//! immutable, and the entry points a host links by a stable name (index.html,
//! app-passwords-element.js, the API docs) revalidated on every use with an ETag.

use std::path::Path;

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use tower_http::services::ServeDir;

/// The files under `dir` (`index.html` for `/`); any other path, a traversal attempt
/// included, is a 404: the app has no routes of its own to fall back for.
pub fn service(dir: &Path) -> ServeDir {
    ServeDir::new(dir).precompressed_br().precompressed_gzip()
}

/// Whether a file name carries its content's hash (`app-passwords-5b18…02931_bg.wasm`):
/// such a file never changes under its name. Trunk writes the 64-bit hash in hex without
/// leading zeros, so it is 16 digits most of the time and fewer 1 time in 16.
pub fn is_content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let stem = name.split('.').next().unwrap_or_default().trim_end_matches("_bg");
    stem.rsplit_once('-').is_some_and(|(_, hash)| {
        (8..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// Cache headers for static files, and `304 Not Modified` for an entry point the
/// browser already holds (`If-None-Match`).
pub async fn cache(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let known = req.headers().get(header::IF_NONE_MATCH).cloned();
    let mut res = next.run(req).await;
    if res.status() != StatusCode::OK && res.status() != StatusCode::NOT_MODIFIED {
        return res;
    }
    let headers = res.headers_mut();
    if is_content_hashed(&path) {
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
        return res;
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // The version of this entry as sent: its modification time, size and encoding.
    let version: Vec<u8> =
        [header::LAST_MODIFIED, header::CONTENT_LENGTH, header::CONTENT_ENCODING]
            .iter()
            .flat_map(|h| {
                headers
                    .get(h)
                    .map(HeaderValue::as_bytes)
                    .unwrap_or_default()
                    .iter()
                    .copied()
                    .chain([0])
            })
            .collect();
    let digest = Sha256::digest(&version);
    let etag = format!("\"{}\"", crate::crypto::hex(&digest[..12]));
    let Ok(etag) = HeaderValue::from_str(&etag) else { return res };
    headers.insert(header::ETAG, etag.clone());
    if known.as_ref().is_some_and(|k| {
        k.as_bytes().split(|b| *b == b',').any(|t| t.trim_ascii() == etag.as_bytes())
    }) {
        let mut not_modified = StatusCode::NOT_MODIFIED.into_response();
        let keep = [header::ETAG, header::CACHE_CONTROL, header::VARY, header::CONTENT_ENCODING];
        for name in keep {
            if let Some(v) = res.headers().get(&name) {
                not_modified.headers_mut().insert(name, v.clone());
            }
        }
        return not_modified;
    }
    res
}

#[cfg(test)]
mod tests {
    use super::is_content_hashed;

    #[test]
    fn content_hashed_names_are_told_from_stable_ones() {
        for hashed in [
            "/app-passwords-5b1830698ce02931.js",
            "/app-passwords-5b1830698ce02931_bg.wasm",
            "/app-f5fce5a432863dc5.css",
            "/app-passwords/app-passwords-5b1830698ce02931.js",
            "/app-passwords-a539ad22c555871_bg.wasm", // a hash with a leading zero
            "/app-passwords-journey-253a460b86cbb428.wasm", // a split chunk (src/lazy.rs)
        ] {
            assert!(is_content_hashed(hashed), "{hashed}");
        }
        for stable in [
            "/index.html",
            "/",
            "/app-passwords-element.js",
            "/api-docs/init.js",
            "/app-passwords-xyz.js",
            "/app-passwords-cafe.js",
        ] {
            assert!(!is_content_hashed(stable), "{stable}");
        }
    }
}
