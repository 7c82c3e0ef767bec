//! A request id on every response (`X-Request-Id`), every log line (a span field) and
//! every problem document (read from a task-local while the handler runs).

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

tokio::task_local! {
    static REQUEST_ID: String;
}

pub const HEADER: &str = "x-request-id";

/// The id of the request being handled, if any.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

pub async fn middleware(req: Request, next: Next) -> Response {
    let id = crate::crypto::random_hex(8);
    // Only the method and path (never the query or body) are logged.
    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path());
    let mut res = REQUEST_ID
        .scope(
            id.clone(),
            async move {
                let res = next.run(req).await;
                tracing::info!(status = res.status().as_u16(), "handled");
                res
            }
            .instrument(span),
        )
        .await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(HEADER, v);
    }
    res
}
