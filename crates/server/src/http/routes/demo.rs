use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use wire::ErrorCode;

use crate::http::error::{ApiError, ApiResult, Json};
use crate::http::state::AppState;
use crate::store::outbox::OutboxMessage;

/// Demo mode only, loopback only: the messages that would have been sent, newest first.
#[utoipa::path(get, path = "/v1/demo/outbox", tag = "demo", operation_id = "demo_outbox",
    responses((status = 200, description = "The newest messages, newest first", body = [OutboxMessage])))]
#[tracing::instrument(skip_all)]
pub async fn outbox(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
) -> ApiResult<Json<Vec<OutboxMessage>>> {
    if !state.deliverer.demo() || !peer.ip().is_loopback() {
        return Err(ApiError::new(ErrorCode::NotFound));
    }
    Ok(Json(state.store.outbox().await?))
}
