use axum::extract::State;
use wire::Health;

use crate::http::error::{ApiResult, Json};
use crate::http::state::AppState;

/// Readiness: the process answers AND its database does (503 `unavailable` when the
/// database cannot be reached). Load balancers route to replicas that answer 200.
#[utoipa::path(get, path = "/v1/health", tag = "meta", operation_id = "health",
    responses((status = 200, description = "The endpoint and its database answer", body = Health)))]
#[tracing::instrument(skip_all)]
pub async fn get(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    state.store.ping().await?;
    Ok(Json(Health { status: "ok".into(), version: env!("CARGO_PKG_VERSION").into() }))
}

/// Liveness: the process answers, whatever its database does (restart it if not).
#[utoipa::path(get, path = "/v1/live", tag = "meta", operation_id = "live",
    responses((status = 200, description = "The process is alive", body = Health)))]
pub async fn live() -> Json<Health> {
    Json(Health { status: "ok".into(), version: env!("CARGO_PKG_VERSION").into() })
}
