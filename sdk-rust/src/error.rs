//! The one error type of the SDK.

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

/// Every fallible call of the SDK returns `Result<T, AgentIdPError>`.
///
/// Errors that come from a server response carry the HTTP status, the server's error code and
/// the `x-request-id` the server put on the response, so a failure can be found in the
/// server's logs.
///
/// # Example
///
/// ```no_run
/// use sentryagent_idp::{AgentIdPClient, AgentIdPError};
///
/// # async fn run(client: AgentIdPClient) {
/// match client.agents().get("4b7c9b36-0000-4000-8000-000000000000").await {
///     Ok(agent) => println!("{}", agent.email),
///     Err(AgentIdPError::Api { code, request_id, .. }) if code == "AGENT_NOT_FOUND" => {
///         eprintln!("no such agent (request {request_id:?})");
///     }
///     Err(other) => eprintln!("failed: {other}"),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AgentIdPError {
    /// The API answered with an error in the platform's `{ code, message, details }` shape.
    #[error("{code} ({status}): {message}")]
    Api {
        /// HTTP status code.
        status: u16,
        /// UPPER_SNAKE error code, such as `AGENT_NOT_FOUND`.
        code: String,
        /// Human-readable message.
        message: String,
        /// Optional structured details.
        details: Option<Value>,
        /// The `x-request-id` of the response.
        request_id: Option<String>,
    },
    /// The server answered `429` (after the retries the policy allows).
    #[error("rate limited ({code}): {message}")]
    RateLimited {
        /// The wait the server asked for in `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
        /// Error code, normally `RATE_LIMITED`.
        code: String,
        /// Human-readable message.
        message: String,
        /// Structured details (`tier`, `limit`, `retryAfter`, `upgradeUrl`).
        details: Option<Value>,
        /// The `x-request-id` of the response.
        request_id: Option<String>,
    },
    /// The OAuth token endpoint refused the client (RFC 6749 `{ error, error_description }`).
    #[error("authentication failed ({status} {error}): {description}")]
    Auth {
        /// HTTP status code.
        status: u16,
        /// RFC 6749 error code, such as `invalid_client`.
        error: String,
        /// `error_description`, empty when the server sent none.
        description: String,
        /// The `x-request-id` of the response.
        request_id: Option<String>,
    },
    /// The request could not be sent or its response not read.
    #[error("network error: {message}")]
    Network {
        /// What went wrong.
        message: String,
        /// The underlying error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// The request did not complete within the configured timeout.
    #[error("request timed out")]
    Timeout,
    /// The response body did not match the expected model.
    #[error("could not decode the response ({status}): {message}")]
    Decode {
        /// HTTP status code.
        status: u16,
        /// What did not match.
        message: String,
        /// The `x-request-id` of the response.
        request_id: Option<String>,
    },
    /// The client was configured wrongly (missing or invalid setting).
    #[error("configuration error: {0}")]
    Config(String),
    /// A downloaded starter could not be unpacked: a corrupt or hostile archive, a non-empty
    /// target directory, or a file-system failure.
    #[error("could not unpack the starter: {0}")]
    Unpack(String),
}

impl AgentIdPError {
    /// The HTTP status of the response that caused the error, if there was one.
    ///
    /// ```
    /// let err = sentryagent_idp::AgentIdPError::Timeout;
    /// assert_eq!(err.status(), None);
    /// ```
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } | Self::Auth { status, .. } | Self::Decode { status, .. } => {
                Some(*status)
            }
            Self::RateLimited { .. } => Some(429),
            _ => None,
        }
    }

    /// The server's error code (`AGENT_NOT_FOUND`, `RATE_LIMITED`, `invalid_client`, …).
    ///
    /// ```
    /// let err = sentryagent_idp::AgentIdPError::Timeout;
    /// assert_eq!(err.code(), None);
    /// ```
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Api { code, .. } | Self::RateLimited { code, .. } => Some(code),
            Self::Auth { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The `x-request-id` of the response that caused the error, if there was one.
    ///
    /// ```
    /// let err = sentryagent_idp::AgentIdPError::Config("x".into());
    /// assert_eq!(err.request_id(), None);
    /// ```
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Api { request_id, .. }
            | Self::RateLimited { request_id, .. }
            | Self::Auth { request_id, .. }
            | Self::Decode { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// The structured `details` of an API error.
    ///
    /// ```
    /// let err = sentryagent_idp::AgentIdPError::Timeout;
    /// assert!(err.details().is_none());
    /// ```
    pub fn details(&self) -> Option<&Value> {
        match self {
            Self::Api { details, .. } | Self::RateLimited { details, .. } => details.as_ref(),
            _ => None,
        }
    }

    pub(crate) fn network(err: reqwest::Error) -> Self {
        if err.is_timeout() {
            return Self::Timeout;
        }
        Self::Network {
            message: err.to_string(),
            source: Box::new(err),
        }
    }
}

#[derive(Deserialize)]
struct PlatformError {
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    details: Option<Value>,
}

#[derive(Deserialize)]
struct OAuthError {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// Maps an error response to the error enum. Both wire shapes are accepted on every endpoint.
pub(crate) fn from_response(
    status: u16,
    body: &[u8],
    request_id: Option<String>,
    retry_after: Option<Duration>,
) -> AgentIdPError {
    if let Ok(err) = serde_json::from_slice::<PlatformError>(body) {
        if status == 429 {
            return AgentIdPError::RateLimited {
                retry_after,
                code: err.code,
                message: err.message,
                details: err.details,
                request_id,
            };
        }
        return AgentIdPError::Api {
            status,
            code: err.code,
            message: err.message,
            details: err.details,
            request_id,
        };
    }
    if let Ok(err) = serde_json::from_slice::<OAuthError>(body) {
        if status == 429 {
            return AgentIdPError::RateLimited {
                retry_after,
                code: err.error,
                message: err.error_description.unwrap_or_default(),
                details: None,
                request_id,
            };
        }
        return AgentIdPError::Auth {
            status,
            error: err.error,
            description: err.error_description.unwrap_or_default(),
            request_id,
        };
    }
    let text = String::from_utf8_lossy(body);
    let message: String = text.chars().take(512).collect();
    let code = match status {
        429 => {
            return AgentIdPError::RateLimited {
                retry_after,
                code: "RATE_LIMITED".to_owned(),
                message,
                details: None,
                request_id,
            };
        }
        400 => "BAD_REQUEST",
        401 => "UNAUTHORIZED",
        403 => "FORBIDDEN",
        404 => "NOT_FOUND",
        409 => "CONFLICT",
        413 => "PAYLOAD_TOO_LARGE",
        503 => "SERVICE_UNAVAILABLE",
        500..=599 => "INTERNAL_ERROR",
        _ => "HTTP_ERROR",
    };
    AgentIdPError::Api {
        status,
        code: code.to_owned(),
        message,
        details: None,
        request_id,
    }
}
