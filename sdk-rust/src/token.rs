//! Client-credentials access tokens, cached and refreshed single-flight.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::error::AgentIdPError;
use crate::retry::{self, RetryPolicy};

/// How long before expiry a cached token is replaced.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// A string that must not end up in logs: `Debug` prints `[redacted]`.
///
/// ```
/// let s = sentryagent_idp::Secret::new("sk_live_abc");
/// assert_eq!(format!("{s:?}"), "[redacted]");
/// assert_eq!(s.expose(), "sk_live_abc");
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    ///
    /// ```
    /// let s = sentryagent_idp::Secret::new(String::from("x"));
    /// # let _ = s;
    /// ```
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value itself.
    ///
    /// ```
    /// assert_eq!(sentryagent_idp::Secret::new("x").expose(), "x");
    /// ```
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// The token endpoint's answer (RFC 6749 §5.1; snake_case on the wire).
///
/// ```
/// let t: sentryagent_idp::TokenResponse = serde_json::from_str(
///     r#"{"access_token":"eyJ","token_type":"Bearer","expires_in":3600,"scope":"agents:read"}"#,
/// ).unwrap();
/// assert_eq!(t.expires_in, 3600);
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TokenResponse {
    /// The JWT access token.
    pub access_token: Secret,
    /// Always `Bearer`.
    pub token_type: String,
    /// Lifetime in seconds.
    pub expires_in: u64,
    /// Space-separated granted scopes.
    #[serde(default)]
    pub scope: String,
}

#[derive(Debug, Clone)]
pub(crate) struct CachedToken {
    pub(crate) access_token: Arc<str>,
    /// `Bearer <token>`, built once per token and marked sensitive.
    pub(crate) header: reqwest::header::HeaderValue,
    refresh_at: Instant,
}

/// What the [`TokenManager`] holds behind its mutex.
#[derive(Debug, Default)]
pub struct TokenCache {
    token: Option<CachedToken>,
}

/// Gets and caches the client's access token.
///
/// One `TokenManager` is shared by every per-area client of an [`AgentIdPClient`](crate::AgentIdPClient)
/// and by every clone of it. A token is reused until 60 s before it expires (half its life
/// for tokens shorter than two minutes); then the first caller refreshes it while every
/// other caller waits for that one request, so however many tasks ask at once, exactly one
/// token request is in flight.
///
/// ```no_run
/// # async fn run(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
/// let token = client.token_manager().access_token().await?;
/// println!("{} chars", token.len());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct TokenManager {
    inner: Arc<TokenManagerInner>,
}

struct TokenManagerInner {
    http: reqwest::Client,
    token_url: reqwest::Url,
    client_id: String,
    client_secret: Secret,
    scope: Option<String>,
    retry: RetryPolicy,
    cache: Mutex<TokenCache>,
    fetches: AtomicU64,
}

impl fmt::Debug for TokenManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenManager")
            .field("token_url", &self.inner.token_url.as_str())
            .field("client_id", &self.inner.client_id)
            .field("scope", &self.inner.scope)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct ClientCredentialsForm<'a> {
    grant_type: &'static str,
    client_id: &'a str,
    client_secret: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'a str>,
}

impl TokenManager {
    pub(crate) fn new(
        http: reqwest::Client,
        token_url: reqwest::Url,
        client_id: String,
        client_secret: Secret,
        scope: Option<String>,
        retry: RetryPolicy,
    ) -> Self {
        Self {
            inner: Arc::new(TokenManagerInner {
                http,
                token_url,
                client_id,
                client_secret,
                scope,
                retry,
                cache: Mutex::new(TokenCache::default()),
                fetches: AtomicU64::new(0),
            }),
        }
    }

    /// The client id (agent id) this manager authenticates as.
    ///
    /// ```no_run
    /// # fn f(client: sentryagent_idp::AgentIdPClient) {
    /// println!("{}", client.token_manager().client_id());
    /// # }
    /// ```
    pub fn client_id(&self) -> &str {
        &self.inner.client_id
    }

    pub(crate) fn client_secret(&self) -> &Secret {
        &self.inner.client_secret
    }

    /// How many token requests this manager has sent (successful or not).
    ///
    /// ```no_run
    /// # fn f(client: sentryagent_idp::AgentIdPClient) {
    /// assert_eq!(client.token_manager().token_requests(), 0);
    /// # }
    /// ```
    pub fn token_requests(&self) -> u64 {
        self.inner.fetches.load(Ordering::Relaxed)
    }

    /// A valid access token: the cached one, or a fresh one when it is missing or within
    /// 60 s of expiry. Concurrent callers share one refresh.
    ///
    /// ```no_run
    /// # async fn f(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// let bearer = client.token_manager().access_token().await?;
    /// # let _ = bearer; Ok(()) }
    /// ```
    pub async fn access_token(&self) -> Result<Arc<str>, AgentIdPError> {
        Ok(self.current().await?.access_token)
    }

    pub(crate) async fn current(&self) -> Result<CachedToken, AgentIdPError> {
        // Holding the lock across the fetch is what makes the refresh single-flight: waiters
        // queue on the mutex (FIFO) and find the fresh token when they get it.
        let mut cache = self.inner.cache.lock().await;
        if let Some(token) = &cache.token
            && Instant::now() < token.refresh_at
        {
            return Ok(token.clone());
        }
        let response = self.fetch().await?;
        let lifetime = Duration::from_secs(response.expires_in);
        let margin = REFRESH_MARGIN.min(lifetime / 2);
        let mut header = reqwest::header::HeaderValue::try_from(format!(
            "Bearer {}",
            response.access_token.expose()
        ))
        .map_err(|_| AgentIdPError::Decode {
            status: 200,
            message: "access_token is not a valid header value".to_owned(),
            request_id: None,
        })?;
        header.set_sensitive(true);
        let token = CachedToken {
            access_token: Arc::from(response.access_token.expose()),
            header,
            refresh_at: Instant::now() + (lifetime - margin),
        };
        cache.token = Some(token.clone());
        Ok(token)
    }

    /// Drops the cached token if it is still `rejected`, so the next caller fetches a new one.
    /// A token that another task already replaced is left alone: a burst of `401`s causes one
    /// refresh, not one per request.
    ///
    /// ```no_run
    /// # async fn f(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// let t = client.token_manager().access_token().await?;
    /// client.token_manager().invalidate(&t).await;
    /// # Ok(()) }
    /// ```
    pub async fn invalidate(&self, rejected: &str) {
        let mut cache = self.inner.cache.lock().await;
        if cache
            .token
            .as_ref()
            .is_some_and(|t| &*t.access_token == rejected)
        {
            cache.token = None;
        }
    }

    /// Drops the cached token whatever it is.
    ///
    /// ```no_run
    /// # async fn f(client: sentryagent_idp::AgentIdPClient) {
    /// client.token_manager().clear().await;
    /// # }
    /// ```
    pub async fn clear(&self) {
        self.inner.cache.lock().await.token = None;
    }

    async fn fetch(&self) -> Result<TokenResponse, AgentIdPError> {
        self.inner.fetches.fetch_add(1, Ordering::Relaxed);
        let form = ClientCredentialsForm {
            grant_type: "client_credentials",
            client_id: &self.inner.client_id,
            client_secret: self.inner.client_secret.expose(),
            scope: self.inner.scope.as_deref(),
        };
        let request = self
            .inner
            .http
            .post(self.inner.token_url.clone())
            .form(&form)
            .build()
            .map_err(AgentIdPError::network)?;
        // A token request is safe to repeat: treat it as idempotent for transport failures.
        let response =
            retry::send(&self.inner.http, &request, None, &self.inner.retry, true).await?;
        crate::client::decode(response)
    }
}
