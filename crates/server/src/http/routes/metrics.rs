use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use wire::ErrorCode;

use crate::domain::client::ClientAddr;
use crate::http::error::{ApiError, ApiResult};
use crate::http::state::AppState;

/// Prometheus text exposition, to the addresses `--metrics-allow` names (loopback by
/// default); to anyone else this path does not exist.
pub async fn get(
    State(state): State<AppState>,
    client: ClientAddr,
) -> ApiResult<impl IntoResponse> {
    if !state.config.metrics_allow.iter().any(|net| net.contains(&client.0)) {
        return Err(ApiError::new(ErrorCode::NotFound));
    }
    let text = state.metrics.render(&state.primary.hasher().stats(), state.store.db());
    Ok((
        [(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")],
        text,
    ))
}
