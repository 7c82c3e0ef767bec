//! `Idempotency-Key` for create requests: a retry after a dropped connection gets the
//! first answer back instead of a second app password or a second code.

use std::future::Future;

use axum::http::{HeaderMap, StatusCode};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wire::{ErrorCode, IDEMPOTENCY_KEY};

use crate::crypto::{self, ServerKey};
use crate::http::error::{ApiError, ApiResult, Json};
use crate::store::idempotency::Claimed;
use crate::store::Store;

/// The client's key from the request headers, validated.
pub fn key_from(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else { return Ok(None) };
    match value.to_str().ok().filter(|v| wire::rules::idempotency_key(v)) {
        Some(key) => Ok(Some(key.trim().to_owned())),
        None => Err(ApiError::invalid(IDEMPOTENCY_KEY, "invalid")),
    }
}

/// Runs `create` once per (account, route, key); later calls with the same key and
/// the same body get the stored answer, with another body a conflict. The claim is
/// finished with the sealed answer, or released when `create` fails.
pub async fn once<T, F, Fut>(
    store: &Store,
    server_key: &ServerKey,
    account_id: &str,
    route: &str,
    client_key: Option<String>,
    request_body: &[u8],
    create: F,
) -> ApiResult<(StatusCode, Json<T>)>
where
    T: Serialize + DeserializeOwned,
    F: FnOnce() -> Fut,
    Fut: Future<Output = ApiResult<T>>,
{
    let Some(client_key) = client_key else {
        return Ok((StatusCode::CREATED, Json(create().await?)));
    };
    let id = server_key
        .keyed_hash("idempotency", format!("{account_id}\n{route}\n{client_key}").as_bytes());
    let fingerprint = crypto::sha256_hex(request_body);
    let cipher = cipher(server_key, &client_key);
    match store.claim_idempotency(account_id, &id, &fingerprint).await? {
        None => {}
        Some(Claimed::Conflict) => {
            return Err(ApiError::new(ErrorCode::IdempotencyConflict)
                .detail("This Idempotency-Key was already used with a different request."))
        }
        Some(Claimed::Running) => {
            return Err(ApiError::new(ErrorCode::IdempotencyConflict)
                .detail("The first request with this Idempotency-Key is still running.")
                .retry_after(1))
        }
        Some(Claimed::Done(status, body)) => {
            let value = open(&cipher, &body)
                .ok_or_else(|| ApiError::internal("stored idempotent answer unreadable"))?;
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED);
            return Ok((status, Json(value)));
        }
    }
    match create().await {
        Ok(value) => {
            let sealed = seal(&cipher, &value)?;
            store
                .finish_idempotency(account_id, &id, StatusCode::CREATED.as_u16(), &sealed)
                .await?;
            Ok((StatusCode::CREATED, Json(value)))
        }
        Err(e) => {
            // A failed request leaves nothing behind: the client may retry with the same key.
            store.release_idempotency(account_id, &id).await?;
            Err(e)
        }
    }
}

fn cipher(server_key: &ServerKey, client_key: &str) -> ChaCha20Poly1305 {
    let key = server_key.mac("idempotency-seal", client_key.as_bytes());
    ChaCha20Poly1305::new(Key::from_slice(&key))
}

fn seal<T: Serialize>(cipher: &ChaCha20Poly1305, value: &T) -> ApiResult<String> {
    let plain = serde_json::to_vec(value).map_err(ApiError::internal)?;
    let nonce_bytes = crypto::random_bytes(12);
    let sealed = cipher
        .encrypt(Nonce::from_slice(&nonce_bytes), plain.as_slice())
        .map_err(|_| ApiError::internal("sealing failed"))?;
    Ok(crypto::hex(&[nonce_bytes, sealed].concat()))
}

fn open<T: DeserializeOwned>(cipher: &ChaCha20Poly1305, hexed: &str) -> Option<T> {
    let bytes = crypto::unhex(hexed)?;
    let (nonce, sealed) = bytes.split_at_checked(12)?;
    let plain = cipher.decrypt(Nonce::from_slice(nonce), sealed).ok()?;
    serde_json::from_slice(&plain).ok()
}
