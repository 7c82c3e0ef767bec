//! "This wasn't me": the link of a notice, followed without signing in.

use axum::extract::State;
use wire::{Disown, Disowned};

use crate::domain::client::ClientAddr;
use crate::domain::limits::Budget;
use crate::http::error::{ApiError, ApiResult, Json};
use crate::http::state::AppState;
use crate::store::Refusal;

/// Removes what a notice was about (an app password, a method) and ends every session
/// of the account. The token works once and for 7 days; an unknown, used or expired one
/// answers `not_found` alike, and every try spends the client address's sign-in budget
/// (a right one hands it back).
#[utoipa::path(post, path = "/v1/notices/disown", tag = "sessions", operation_id = "disown",
    request_body = Disown,
    responses((status = 200, description = "Removed; the account's sessions ended", body = Disowned)))]
#[tracing::instrument(skip_all)]
pub async fn disown(
    State(state): State<AppState>,
    client: ClientAddr,
    Json(req): Json<Disown>,
) -> ApiResult<Json<Disowned>> {
    let token = req.token.trim();
    if token.is_empty() || token.len() > 128 {
        return Err(ApiError::invalid("token", "invalid_format"));
    }
    let store = &state.store;
    let hits = store.spend(&[Budget::SignInAddress(&client)]).await?.map_err(Refusal::from)?;
    let done = store.disown(token).await?;
    store.release(&hits).await?;
    tracing::info!(what = ?done.what, removed = done.removed, "disowned from a notice");
    Ok(Json(done))
}
