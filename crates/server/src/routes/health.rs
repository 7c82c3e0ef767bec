use axum::extract::State;
use wire::Health;

use crate::error::{ApiResult, Json};
use crate::startup::AppState;

/// Liveness and database check.
#[utoipa::path(get, path = "/v1/health", tag = "meta", responses((status = 200, body = Health)))]
#[tracing::instrument(skip_all)]
pub async fn get(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    sqlx::query("SELECT 1").execute(&state.db).await?;
    Ok(Json(Health { status: "ok".into(), version: env!("CARGO_PKG_VERSION").into() }))
}
