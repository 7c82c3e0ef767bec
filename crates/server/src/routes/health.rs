use axum::extract::State;
use wire::Health;

use crate::error::{ApiResult, Json};
use crate::state::AppState;

/// Liveness and database check.
#[utoipa::path(get, path = "/v1/health", tag = "meta", operation_id = "health",
    responses((status = 200, description = "The endpoint and its database answer", body = Health)))]
#[tracing::instrument(skip_all)]
pub async fn get(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    state.store.ping().await?;
    Ok(Json(Health { status: "ok".into(), version: env!("CARGO_PKG_VERSION").into() }))
}
