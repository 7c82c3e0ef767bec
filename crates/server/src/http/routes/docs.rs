//! `/v1/docs`: the contract rendered for people, by Swagger UI (installed from npm at
//! build time into `dist/api-docs/`, never fetched from a CDN), on the document this
//! server serves. Its own strict policy: scripts and styles from this origin only; it
//! needs neither WebAssembly nor inline code, so it gets neither.

use axum::http::header;
use axum::response::{Html, IntoResponse};

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>app-passwords identity endpoint: API</title>
<link rel="stylesheet" href="/api-docs/swagger-ui.css">
</head>
<body>
<main id="docs"></main>
<script src="/api-docs/swagger-ui-bundle.js"></script>
<script src="/api-docs/init.js"></script>
</body>
</html>
"#;

pub const CSP: &str =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                       connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; \
                       frame-ancestors 'none'";

pub async fn get() -> impl IntoResponse {
    ([(header::CONTENT_SECURITY_POLICY, CSP)], Html(PAGE))
}
