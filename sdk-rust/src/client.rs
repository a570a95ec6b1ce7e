//! The client, its builder and the request executor shared by every area.

use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, RequestBuilder, Url};
use serde::de::DeserializeOwned;

use crate::api::{
    AgentsClient, AgntcyClient, AnalyticsClient, AuditClient, CredentialsClient, DelegationClient,
    ScaffoldClient, TiersClient, TokensClient,
};
use crate::error::AgentIdPError;
use crate::retry::{self, RawResponse, RetryPolicy};
use crate::token::{Secret, TokenManager};

/// Default prefix of every API route.
pub const DEFAULT_API_PREFIX: &str = "/api/v1";
/// Default whole-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Environment variable holding the host root URL, e.g. `http://127.0.0.1:3000`.
pub const ENV_API_URL: &str = "AGENTIDP_API_URL";
/// Environment variable holding the client id (the agent id).
pub const ENV_CLIENT_ID: &str = "AGENTIDP_CLIENT_ID";
/// Environment variable holding the client secret.
pub const ENV_CLIENT_SECRET: &str = "AGENTIDP_CLIENT_SECRET";

/// The SentryAgent API client.
///
/// Cheap to clone (one `Arc`); clones share the HTTP connection pool and the
/// [`TokenManager`]. Each area of the API has its own handler borrowing the client:
/// [`agents`](Self::agents), [`credentials`](Self::credentials), [`tokens`](Self::tokens),
/// [`audit`](Self::audit), [`delegation`](Self::delegation), [`analytics`](Self::analytics),
/// [`tiers`](Self::tiers), [`agntcy`](Self::agntcy).
///
/// ```no_run
/// use sentryagent_idp::AgentIdPClient;
///
/// # async fn run() -> Result<(), sentryagent_idp::AgentIdPError> {
/// let client = AgentIdPClient::builder()
///     .base_url("http://127.0.0.1:3000")
///     .client_id("3f1c…")
///     .client_secret("sk_live_…")
///     .scope("agents:read agents:write")
///     .timeout(std::time::Duration::from_secs(10))
///     .build()?;
/// let page = client.agents().list(&Default::default()).await?;
/// println!("{} agents", page.total);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct AgentIdPClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    api_base: String,
    root: String,
    tokens: TokenManager,
    retry: RetryPolicy,
}

/// Builds an [`AgentIdPClient`]; see [`AgentIdPClient::builder`].
///
/// ```
/// let client = sentryagent_idp::AgentIdPClient::builder()
///     .base_url("http://127.0.0.1:3000")
///     .client_id("agent-id")
///     .client_secret("sk_live_x")
///     .build();
/// assert!(client.is_ok());
/// ```
#[derive(Debug, Default, Clone)]
#[must_use]
pub struct AgentIdPClientBuilder {
    base_url: Option<String>,
    client_id: Option<String>,
    client_secret: Option<Secret>,
    scope: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    api_prefix: Option<String>,
    retry: Option<RetryPolicy>,
    user_agent: Option<String>,
    http: Option<reqwest::Client>,
}

impl AgentIdPClientBuilder {
    /// The host root of the server (`http://127.0.0.1:3000`), without `/api/v1`.
    ///
    /// ```
    /// let b = sentryagent_idp::AgentIdPClient::builder().base_url("https://idp.example.com");
    /// # let _ = b;
    /// ```
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The client id: the agent id of the credential.
    ///
    /// ```
    /// let b = sentryagent_idp::AgentIdPClient::builder().client_id("3f1c…");
    /// # let _ = b;
    /// ```
    pub fn client_id(mut self, id: impl Into<String>) -> Self {
        self.client_id = Some(id.into());
        self
    }

    /// The client secret (`sk_live_…`).
    ///
    /// ```
    /// let b = sentryagent_idp::AgentIdPClient::builder().client_secret("sk_live_…");
    /// # let _ = b;
    /// ```
    pub fn client_secret(mut self, secret: impl Into<String>) -> Self {
        self.client_secret = Some(Secret::new(secret));
        self
    }

    /// Space-separated scopes to request; omitted means every capability of the agent.
    ///
    /// ```
    /// let b = sentryagent_idp::AgentIdPClient::builder().scope("agents:read audit:read");
    /// # let _ = b;
    /// ```
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// Whole-request timeout (default 30 s).
    ///
    /// ```
    /// let b = sentryagent_idp::AgentIdPClient::builder().timeout(std::time::Duration::from_secs(5));
    /// # let _ = b;
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Connection timeout (default: the request timeout).
    ///
    /// ```
    /// let b = sentryagent_idp::AgentIdPClient::builder().connect_timeout(std::time::Duration::from_secs(2));
    /// # let _ = b;
    /// ```
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Prefix of the API routes (default `/api/v1`).
    ///
    /// ```
    /// let b = sentryagent_idp::AgentIdPClient::builder().api_prefix("/idp/api/v1");
    /// # let _ = b;
    /// ```
    pub fn api_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.api_prefix = Some(prefix.into());
        self
    }

    /// The retry policy (default: [`RetryPolicy::default`]).
    ///
    /// ```
    /// let b = sentryagent_idp::AgentIdPClient::builder().retry_policy(sentryagent_idp::RetryPolicy::none());
    /// # let _ = b;
    /// ```
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// The `User-Agent` header (default `sentryagent-idp-rust/<version>`).
    ///
    /// ```
    /// let b = sentryagent_idp::AgentIdPClient::builder().user_agent("my-agent/1.0");
    /// # let _ = b;
    /// ```
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = Some(ua.into());
        self
    }

    /// Uses an existing `reqwest::Client` (its own timeouts and TLS settings then apply;
    /// [`timeout`](Self::timeout) and [`user_agent`](Self::user_agent) are ignored).
    ///
    /// ```
    /// let b = sentryagent_idp::AgentIdPClient::builder().http_client(reqwest::Client::new());
    /// # let _ = b;
    /// ```
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Validates the settings and builds the client.
    ///
    /// # Errors
    ///
    /// [`AgentIdPError::Config`] when the base URL, client id or secret is missing or the
    /// URL is not `http(s)`.
    ///
    /// ```
    /// let err = sentryagent_idp::AgentIdPClient::builder().build().unwrap_err();
    /// assert!(matches!(err, sentryagent_idp::AgentIdPError::Config(_)));
    /// ```
    pub fn build(self) -> Result<AgentIdPClient, AgentIdPError> {
        let base = self
            .base_url
            .ok_or_else(|| AgentIdPError::Config("base_url is required".into()))?;
        let client_id = self
            .client_id
            .filter(|s| !s.is_empty())
            .ok_or_else(|| AgentIdPError::Config("client_id is required".into()))?;
        let client_secret = self
            .client_secret
            .filter(|s| !s.expose().is_empty())
            .ok_or_else(|| AgentIdPError::Config("client_secret is required".into()))?;
        let parsed = Url::parse(base.trim())
            .map_err(|e| AgentIdPError::Config(format!("base_url {base:?}: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(AgentIdPError::Config(format!(
                "base_url must be http or https, got {:?}",
                parsed.scheme()
            )));
        }
        let root = parsed.as_str().trim_end_matches('/').to_owned();
        let prefix = self.api_prefix.unwrap_or_else(|| DEFAULT_API_PREFIX.into());
        let prefix = format!("/{}", prefix.trim_matches('/'));
        let prefix = if prefix == "/" { String::new() } else { prefix };
        let api_base = format!("{root}{prefix}");
        let http = match self.http {
            Some(http) => http,
            None => {
                let timeout = self.timeout.unwrap_or(DEFAULT_TIMEOUT);
                reqwest::Client::builder()
                    .timeout(timeout)
                    .connect_timeout(self.connect_timeout.unwrap_or(timeout))
                    .user_agent(self.user_agent.unwrap_or_else(|| {
                        concat!("sentryagent-idp-rust/", env!("CARGO_PKG_VERSION")).to_owned()
                    }))
                    .build()
                    .map_err(|e| AgentIdPError::Config(format!("HTTP client: {e}")))?
            }
        };
        let retry = self.retry.unwrap_or_default();
        let token_url = Url::parse(&format!("{api_base}/token"))
            .map_err(|e| AgentIdPError::Config(format!("token URL: {e}")))?;
        let tokens = TokenManager::new(
            http.clone(),
            token_url,
            client_id,
            client_secret,
            self.scope.filter(|s| !s.trim().is_empty()),
            retry.clone(),
        );
        Ok(AgentIdPClient {
            inner: Arc::new(Inner {
                http,
                api_base,
                root,
                tokens,
                retry,
            }),
        })
    }
}

/// Whether a request carries the client's bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Auth {
    Bearer,
    None,
}

impl AgentIdPClient {
    /// Starts a builder.
    ///
    /// ```
    /// let builder = sentryagent_idp::AgentIdPClient::builder();
    /// # let _ = builder;
    /// ```
    pub fn builder() -> AgentIdPClientBuilder {
        AgentIdPClientBuilder::default()
    }

    /// Builds a client from `AGENTIDP_API_URL` (the host root), `AGENTIDP_CLIENT_ID` and
    /// `AGENTIDP_CLIENT_SECRET`, and the optional `AGENTIDP_SCOPE`: the names the scaffolds
    /// write into `.env`.
    ///
    /// # Errors
    ///
    /// [`AgentIdPError::Config`] naming every missing variable.
    ///
    /// ```no_run
    /// let client = sentryagent_idp::AgentIdPClient::from_env()?;
    /// # Ok::<(), sentryagent_idp::AgentIdPError>(())
    /// ```
    pub fn from_env() -> Result<Self, AgentIdPError> {
        Self::builder_from(|name| std::env::var(name).ok())?.build()
    }

    /// Like [`from_env`](Self::from_env) with a custom lookup, returning the builder so more
    /// settings can be added.
    ///
    /// # Errors
    ///
    /// [`AgentIdPError::Config`] naming every missing variable.
    ///
    /// ```
    /// let vars = std::collections::HashMap::from([
    ///     ("AGENTIDP_API_URL", "http://127.0.0.1:3000"),
    ///     ("AGENTIDP_CLIENT_ID", "id"),
    ///     ("AGENTIDP_CLIENT_SECRET", "sk_live_x"),
    /// ]);
    /// let client = sentryagent_idp::AgentIdPClient::builder_from(|k| vars.get(k).map(|v| v.to_string()))?
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), sentryagent_idp::AgentIdPError>(())
    /// ```
    pub fn builder_from(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<AgentIdPClientBuilder, AgentIdPError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let (url, id, secret) = (get(ENV_API_URL), get(ENV_CLIENT_ID), get(ENV_CLIENT_SECRET));
        let missing: Vec<&str> = [
            (ENV_API_URL, url.is_none()),
            (ENV_CLIENT_ID, id.is_none()),
            (ENV_CLIENT_SECRET, secret.is_none()),
        ]
        .into_iter()
        .filter_map(|(name, missing)| missing.then_some(name))
        .collect();
        match (url, id, secret) {
            (Some(url), Some(id), Some(secret)) => {
                let mut builder = Self::builder()
                    .base_url(url)
                    .client_id(id)
                    .client_secret(secret);
                if let Some(scope) = get("AGENTIDP_SCOPE") {
                    builder = builder.scope(scope);
                }
                Ok(builder)
            }
            _ => Err(AgentIdPError::Config(format!(
                "missing environment variable(s): {}",
                missing.join(", ")
            ))),
        }
    }

    /// The shared token manager.
    ///
    /// ```no_run
    /// # fn f(client: sentryagent_idp::AgentIdPClient) {
    /// let requests = client.token_manager().token_requests();
    /// # let _ = requests; }
    /// ```
    pub fn token_manager(&self) -> &TokenManager {
        &self.inner.tokens
    }

    /// The API base URL (host root + prefix), e.g. `http://127.0.0.1:3000/api/v1`.
    ///
    /// ```
    /// let c = sentryagent_idp::AgentIdPClient::builder()
    ///     .base_url("http://127.0.0.1:3000/").client_id("a").client_secret("b").build()?;
    /// assert_eq!(c.api_base_url(), "http://127.0.0.1:3000/api/v1");
    /// # Ok::<(), sentryagent_idp::AgentIdPError>(())
    /// ```
    pub fn api_base_url(&self) -> &str {
        &self.inner.api_base
    }

    /// Agents: register, list, get, update, decommission, DID document.
    ///
    /// ```no_run
    /// # async fn f(c: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// let agent = c.agents().get("3f1c…").await?;
    /// # let _ = agent; Ok(()) }
    /// ```
    pub fn agents(&self) -> AgentsClient<'_> {
        AgentsClient::new(self)
    }

    /// Credentials of an agent: create, list, rotate, revoke.
    ///
    /// ```no_run
    /// # async fn f(c: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// let creds = c.credentials().list("3f1c…", &Default::default()).await?;
    /// # let _ = creds; Ok(()) }
    /// ```
    pub fn credentials(&self) -> CredentialsClient<'_> {
        CredentialsClient::new(self)
    }

    /// OAuth tokens: issue, introspect, revoke, token exchange.
    ///
    /// ```no_run
    /// # async fn f(c: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// let info = c.tokens().introspect("eyJ…").await?;
    /// # let _ = info; Ok(()) }
    /// ```
    pub fn tokens(&self) -> TokensClient<'_> {
        TokensClient::new(self)
    }

    /// The hash-chained audit log: query and verify.
    ///
    /// ```no_run
    /// # async fn f(c: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// assert!(c.audit().verify().await?.valid);
    /// # Ok(()) }
    /// ```
    pub fn audit(&self) -> AuditClient<'_> {
        AuditClient::new(self)
    }

    /// A2A delegation chains (WS2).
    ///
    /// ```no_run
    /// # async fn f(c: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// let v = c.delegation().verify("eyJ…").await?;
    /// # let _ = v; Ok(()) }
    /// ```
    pub fn delegation(&self) -> DelegationClient<'_> {
        DelegationClient::new(self)
    }

    /// Tenant usage analytics (WS3).
    ///
    /// ```no_run
    /// # async fn f(c: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// use sentryagent_idp::DateRange;
    /// let s = c.analytics().usage_summary(&DateRange::new("2026-11-01", "2026-11-28")).await?;
    /// # let _ = s; Ok(()) }
    /// ```
    pub fn analytics(&self) -> AnalyticsClient<'_> {
        AnalyticsClient::new(self)
    }

    /// Tiers, tier status and upgrades (WS4).
    ///
    /// ```no_run
    /// # async fn f(c: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// let status = c.tiers().status().await?;
    /// # let _ = status; Ok(()) }
    /// ```
    pub fn tiers(&self) -> TiersClient<'_> {
        TiersClient::new(self)
    }

    /// AGNTCY agent cards and the compliance report (WS6).
    ///
    /// ```no_run
    /// # async fn f(c: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// let report = c.agntcy().compliance_report().await?;
    /// # let _ = report; Ok(()) }
    /// ```
    pub fn agntcy(&self) -> AgntcyClient<'_> {
        AgntcyClient::new(self)
    }

    /// Starter-project downloads (WS5).
    ///
    /// ```no_run
    /// # async fn f(c: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// let zip = c.scaffold().download("3f1c…", sentryagent_idp::ScaffoldLanguage::Rust).await?;
    /// # let _ = zip; Ok(()) }
    /// ```
    pub fn scaffold(&self) -> ScaffoldClient<'_> {
        ScaffoldClient::new(self)
    }

    /// A request to `path` under the API prefix.
    pub(crate) fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.inner
            .http
            .request(method, format!("{}{path}", self.inner.api_base))
    }

    /// A request to `path` under the host root (well-known documents).
    #[allow(dead_code)]
    pub(crate) fn root_request(&self, method: Method, path: &str) -> RequestBuilder {
        self.inner
            .http
            .request(method, format!("{}{path}", self.inner.root))
    }

    /// Sends with retries and, for [`Auth::Bearer`], the managed token, refreshing it once
    /// and retrying once after a `401`. Returns the successful response.
    pub(crate) async fn execute(
        &self,
        builder: RequestBuilder,
        auth: Auth,
    ) -> Result<RawResponse, AgentIdPError> {
        let request = builder.build().map_err(AgentIdPError::network)?;
        let idempotent = retry::is_idempotent(request.method());
        let mut refreshed = false;
        loop {
            let token = match auth {
                Auth::Bearer => Some(self.inner.tokens.current().await?),
                Auth::None => None,
            };
            let response = retry::send(
                &self.inner.http,
                &request,
                token.as_ref().map(|t| &t.header),
                &self.inner.retry,
                idempotent,
            )
            .await?;
            if response.status.is_success() {
                return Ok(response);
            }
            if response.status == reqwest::StatusCode::UNAUTHORIZED
                && !refreshed
                && let Some(token) = &token
            {
                self.inner.tokens.invalidate(&token.access_token).await;
                refreshed = true;
                continue;
            }
            return Err(response.into_error());
        }
    }

    /// [`execute`](Self::execute) and decode the JSON body.
    pub(crate) async fn json<T: DeserializeOwned>(
        &self,
        builder: RequestBuilder,
        auth: Auth,
    ) -> Result<T, AgentIdPError> {
        decode(self.execute(builder, auth).await?)
    }

    /// [`execute`](Self::execute) and ignore the body.
    pub(crate) async fn empty(
        &self,
        builder: RequestBuilder,
        auth: Auth,
    ) -> Result<(), AgentIdPError> {
        self.execute(builder, auth).await.map(|_| ())
    }
}

/// Decodes a response: an error status becomes the mapped error, an empty body reads as `{}`.
pub(crate) fn decode<T: DeserializeOwned>(response: RawResponse) -> Result<T, AgentIdPError> {
    if !response.status.is_success() {
        return Err(response.into_error());
    }
    let body: &[u8] = if response.body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        &response.body
    };
    serde_json::from_slice(body).map_err(|e| AgentIdPError::Decode {
        status: response.status.as_u16(),
        message: e.to_string(),
        request_id: response.request_id,
    })
}

/// Percent-encodes one path segment.
pub(crate) fn segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
