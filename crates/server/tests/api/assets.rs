//! The built app as the server sends it: the precompressed copy each client accepts
//! (never one it did not), byte ranges, no way out of the folder, content-hashed files
//! cached for good and entry points revalidated.

use std::io::Write;

use crate::common::*;

const HASHED: &str = "app-passwords-0123456789abcdef_bg.wasm";

/// A dist/ of a few files, each with distinguishable .br and .gz copies.
fn dist(dir: &std::path::Path) -> std::path::PathBuf {
    let dist = dir.join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    for (name, body) in [
        ("index.html", "<!doctype html><title>app</title>".to_owned()),
        ("app-passwords-element.js", "export const element = 1;".to_owned()),
        (HASHED, "0123456789".repeat(100)),
    ] {
        std::fs::write(dist.join(name), &body).unwrap();
        std::fs::write(dist.join(format!("{name}.br")), format!("BROTLI:{name}")).unwrap();
        let mut gz = flate(&body);
        gz.flush().unwrap();
        std::fs::write(dist.join(format!("{name}.gz")), gz.get_ref()).unwrap();
    }
    std::fs::write(dir.join("secret.txt"), "outside the folder").unwrap();
    dist
}

/// Stand-in gzip bytes: the test only checks which file was sent.
fn flate(body: &str) -> std::io::Cursor<Vec<u8>> {
    std::io::Cursor::new(format!("GZIP:{}", body.len()).into_bytes())
}

async fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = app.http.get(app.url(path));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn each_client_gets_the_encoding_it_accepts_and_only_that() {
    let dir = tempfile::tempdir().unwrap();
    let dist = dist(dir.path());
    let app = spawn_with(|c| c.static_dir = dist).await;
    let path = format!("/{HASHED}");

    let res = get(&app, &path, &[("accept-encoding", "gzip, deflate, br")]).await;
    assert_eq!(res.headers()["content-encoding"], "br");
    let vary: Vec<&str> =
        res.headers().get_all("vary").iter().map(|v| v.to_str().unwrap()).collect();
    assert!(vary.iter().any(|v| v.contains("accept-encoding")), "{vary:?}");
    assert_eq!(res.headers()["content-type"], "application/wasm", "compiled while streaming");
    assert_eq!(res.text().await.unwrap(), format!("BROTLI:{HASHED}"));

    let res = get(&app, &path, &[("accept-encoding", "gzip")]).await;
    assert_eq!(res.headers()["content-encoding"], "gzip");
    assert!(res.text().await.unwrap().starts_with("GZIP:"), "never the brotli copy");

    let res = get(&app, &path, &[]).await;
    assert!(!res.headers().contains_key("content-encoding"), "identity without Accept-Encoding");
    assert_eq!(res.text().await.unwrap(), "0123456789".repeat(100));

    let res = get(&app, &path, &[("accept-encoding", "identity"), ("range", "bytes=10-19")]).await;
    assert_eq!(res.status(), 206);
    assert_eq!(res.text().await.unwrap(), "0123456789");
}

#[tokio::test]
async fn hashed_files_are_immutable_and_entry_points_revalidate() {
    let dir = tempfile::tempdir().unwrap();
    let dist = dist(dir.path());
    let app = spawn_with(|c| c.static_dir = dist).await;

    let res = get(&app, &format!("/{HASHED}"), &[]).await;
    assert_eq!(res.headers()["cache-control"], "public, max-age=31536000, immutable");

    for entry in ["/", "/index.html", "/app-passwords-element.js"] {
        let res = get(&app, entry, &[("accept-encoding", "br")]).await;
        assert_eq!(res.status(), 200, "{entry}");
        assert_eq!(res.headers()["cache-control"], "no-cache", "{entry}");
        let etag = res.headers()["etag"].to_str().unwrap().to_owned();
        let again = get(&app, entry, &[("accept-encoding", "br"), ("if-none-match", &etag)]).await;
        assert_eq!(again.status(), 304, "{entry}: a second visit transfers nothing");
        assert!(again.bytes().await.unwrap().is_empty());
        // Another encoding is another version: no 304 for the brotli ETag over gzip.
        let other =
            get(&app, entry, &[("accept-encoding", "gzip"), ("if-none-match", &etag)]).await;
        assert_eq!(other.status(), 200, "{entry}");
    }
}

#[tokio::test]
async fn encoded_path_traversal_finds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let dist = dist(dir.path());
    let app = spawn_with(|c| c.static_dir = dist).await;
    for path in [
        "/..%2fsecret.txt",
        "/%2e%2e/secret.txt",
        "/..%5csecret.txt",
        "/api-docs/..%2f..%2fsecret.txt",
    ] {
        let res = get(&app, path, &[]).await;
        let body = res.text().await.unwrap();
        assert!(!body.contains("outside the folder"), "{path} escaped: {body}");
    }
    let res = get(&app, "/..%2fsecret.txt", &[]).await;
    assert_eq!(res.status(), 404);
}
