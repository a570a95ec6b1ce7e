//! Retries with jittered exponential backoff, honouring `Retry-After`.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Method, Request, StatusCode};

use crate::error::AgentIdPError;

/// How failed requests are retried.
///
/// Idempotent requests (`GET`, `HEAD`, `PUT`, `DELETE`, `OPTIONS`) are retried after network
/// errors, timeouts and `500`/`502`/`503`/`504`. Every request, idempotent or not, is retried
/// after `429` and `503`, which mean the server did not act on it. The wait is the server's
/// `Retry-After` when it sent one, otherwise `base_delay * 2^attempt` with full jitter, never
/// more than `max_delay`; a `Retry-After` longer than `max_delay` is not waited for and the
/// error is returned at once.
///
/// ```
/// use std::time::Duration;
/// use sentryagent_idp::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .max_retries(5)
///     .base_delay(Duration::from_millis(100))
///     .max_delay(Duration::from_secs(10));
/// assert_eq!(policy.get_max_retries(), 5);
/// ```
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    max_retries: u32,
    base_delay: Duration,
    max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    ///
    /// ```
    /// assert_eq!(sentryagent_idp::RetryPolicy::none().get_max_retries(), 0);
    /// ```
    pub fn none() -> Self {
        Self::default().max_retries(0)
    }

    /// Sets how many times a request is retried after the first attempt (default 3).
    ///
    /// ```
    /// let p = sentryagent_idp::RetryPolicy::default().max_retries(1);
    /// assert_eq!(p.get_max_retries(), 1);
    /// ```
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Sets the first backoff step (default 200 ms).
    ///
    /// ```
    /// let p = sentryagent_idp::RetryPolicy::default().base_delay(std::time::Duration::from_millis(50));
    /// # let _ = p;
    /// ```
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Sets the cap on one wait, `Retry-After` included (default 30 s).
    ///
    /// ```
    /// let p = sentryagent_idp::RetryPolicy::default().max_delay(std::time::Duration::from_secs(5));
    /// # let _ = p;
    /// ```
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The configured number of retries.
    ///
    /// ```
    /// assert_eq!(sentryagent_idp::RetryPolicy::default().get_max_retries(), 3);
    /// ```
    pub fn get_max_retries(&self) -> u32 {
        self.max_retries
    }

    /// Full-jitter exponential backoff for retry number `attempt` (0-based).
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(attempt.min(16)))
            .min(self.max_delay);
        let nanos = u64::try_from(exp.as_nanos()).unwrap_or(u64::MAX);
        if nanos == 0 {
            return Duration::ZERO;
        }
        // Jitter source: std's randomly keyed hasher; no RNG dependency needed.
        let random = RandomState::new().hash_one(attempt);
        Duration::from_nanos(nanos / 2 + random % (nanos / 2 + 1))
    }
}

/// A response read whole.
pub(crate) struct RawResponse {
    pub status: StatusCode,
    pub request_id: Option<String>,
    pub retry_after: Option<Duration>,
    pub body: bytes::Bytes,
}

impl RawResponse {
    pub(crate) fn into_error(self) -> AgentIdPError {
        crate::error::from_response(
            self.status.as_u16(),
            &self.body,
            self.request_id,
            self.retry_after,
        )
    }
}

pub(crate) fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    )
}

/// Parses `Retry-After` in its delta-seconds form (the form the server sends).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    value
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
}

/// Sends `request` (cloned per attempt) with an optional bearer token, retrying per `policy`.
/// Returns the response whatever its status; only transport failures are errors.
pub(crate) async fn send(
    http: &reqwest::Client,
    request: &Request,
    bearer: Option<&reqwest::header::HeaderValue>,
    policy: &RetryPolicy,
    idempotent: bool,
) -> Result<RawResponse, AgentIdPError> {
    let mut attempt: u32 = 0;
    loop {
        let mut req = request
            .try_clone()
            .ok_or_else(|| AgentIdPError::Config("request body cannot be replayed".to_owned()))?;
        if let Some(value) = bearer {
            req.headers_mut()
                .insert(reqwest::header::AUTHORIZATION, value.clone());
        }
        let can_retry = attempt < policy.max_retries;
        match http.execute(req).await {
            Ok(resp) => {
                let status = resp.status();
                let headers = resp.headers();
                let request_id = headers
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let wait = retry_after(headers);
                let retryable = status == StatusCode::TOO_MANY_REQUESTS
                    || status == StatusCode::SERVICE_UNAVAILABLE
                    || (idempotent && matches!(status.as_u16(), 500 | 502 | 504));
                if retryable && can_retry {
                    let delay = match wait {
                        Some(d) if d > policy.max_delay => None,
                        Some(d) => Some(d),
                        None => Some(policy.backoff(attempt)),
                    };
                    if let Some(delay) = delay {
                        drop(resp);
                        tokio::time::sleep(delay).await;
                        attempt += 1;
                        continue;
                    }
                }
                let body = resp.bytes().await.map_err(AgentIdPError::network)?;
                return Ok(RawResponse {
                    status,
                    request_id,
                    retry_after: wait,
                    body,
                });
            }
            Err(err) => {
                let transient = err.is_connect() || err.is_timeout() || err.is_request();
                if idempotent && transient && can_retry {
                    tokio::time::sleep(policy.backoff(attempt)).await;
                    attempt += 1;
                    continue;
                }
                return Err(AgentIdPError::network(err));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_capped_and_jittered() {
        let p = RetryPolicy::default()
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_secs(1));
        for attempt in 0..20 {
            let d = p.backoff(attempt);
            assert!(d <= Duration::from_secs(1), "{d:?}");
        }
        let first = p.backoff(0);
        assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
    }

    #[test]
    fn parses_retry_after() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, reqwest::header::HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(
            RETRY_AFTER,
            reqwest::header::HeaderValue::from_static("soon"),
        );
        assert_eq!(retry_after(&h), None);
    }
}
