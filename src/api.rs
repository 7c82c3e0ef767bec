//! The one typed client of the identity endpoint. Components call the per-endpoint
//! functions here; none of them builds a URL, touches gloo-net or parses JSON.

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use wire::{ErrorCode, Health, Problem, PROBLEM_JSON};

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// The endpoint could not be reached (offline, server down, CORS refused).
    #[error("the identity endpoint could not be reached")]
    Network,
    /// The endpoint answered with a problem document.
    #[error("{}", .0.title)]
    Problem(Box<Problem>),
    /// The endpoint answered something this client cannot read.
    #[error("unexpected answer from the identity endpoint (HTTP {status})")]
    Unexpected { status: u16 },
}

impl ApiError {
    /// The machine-readable code, if the server sent one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Problem(p) => Some(p.code),
            _ => None,
        }
    }
}

/// Where the endpoint is, and the session token once signed in (memory only).
#[derive(Clone, PartialEq, Default)]
pub struct Client {
    base: String,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("base", &self.base).finish_non_exhaustive()
    }
}

impl Client {
    /// A client for the endpoint at `base` (`""` means the page's own origin).
    pub fn new(base: impl Into<String>) -> Self {
        let base: String = base.into();
        Self { base: base.trim_end_matches('/').to_owned() }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/v1{}", self.base, path)
    }

    /// `GET /v1/health`.
    pub async fn health(&self) -> Result<Health, ApiError> {
        send(Request::get(&self.url("/health"))).await
    }
}

/// Sends a request and maps the answer: 2xx → `T`, problem document → `Problem`,
/// no answer → `Network`.
async fn send<T: DeserializeOwned>(req: RequestBuilder) -> Result<T, ApiError> {
    let res = req.send().await.map_err(|_| ApiError::Network)?;
    read(res).await
}

async fn read<T: DeserializeOwned>(res: Response) -> Result<T, ApiError> {
    let status = res.status();
    if res.ok() {
        return res.json::<T>().await.map_err(|_| ApiError::Unexpected { status });
    }
    let is_problem =
        res.headers().get("content-type").is_some_and(|ct| ct.starts_with(PROBLEM_JSON));
    if is_problem {
        if let Ok(p) = res.json::<Problem>().await {
            return Err(ApiError::Problem(Box::new(p)));
        }
    }
    Err(ApiError::Unexpected { status })
}
