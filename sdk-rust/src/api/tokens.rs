//! `/token`, `/token/introspect`, `/token/revoke` and RFC 8693 token exchange.

use std::sync::Arc;

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::client::{AgentIdPClient, Auth};
use crate::error::AgentIdPError;
use crate::macros::setters;
use crate::token::{Secret, TokenResponse};

/// The RFC 8693 grant type.
pub const TOKEN_EXCHANGE_GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
/// Token type of a SentryAgent delegation token (the default subject token type).
pub const TOKEN_TYPE_DELEGATION: &str = "urn:sentryagent:params:oauth:token-type:delegation";
/// RFC 8693 token type of an access token.
pub const TOKEN_TYPE_ACCESS_TOKEN: &str = "urn:ietf:params:oauth:token-type:access_token";

/// A client-credentials token request for any client (form-encoded on the wire).
///
/// ```
/// let r = sentryagent_idp::IssueTokenRequest::new("agent-id", "sk_live_x").scope("agents:read");
/// assert_eq!(r.scope.as_deref(), Some("agents:read"));
/// ```
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct IssueTokenRequest {
    grant_type: &'static str,
    /// Client id (agent id).
    pub client_id: String,
    /// Client secret.
    pub client_secret: Secret,
    /// Space-separated scopes, ⊆ the agent's capabilities; none means all of them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

impl IssueTokenRequest {
    /// A request for `client_id` with `client_secret`.
    ///
    /// ```
    /// let r = sentryagent_idp::IssueTokenRequest::new("id", "secret");
    /// assert_eq!(r.client_id, "id");
    /// ```
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self {
            grant_type: "client_credentials",
            client_id: client_id.into(),
            client_secret: Secret::new(client_secret),
            scope: None,
        }
    }
}

setters!(IssueTokenRequest {
    /// Sets the requested scopes.
    scope: String,
});

/// An RFC 8693 token exchange: a delegation token (subject) and the delegatee's access token
/// (actor) for a short-lived access token carrying the delegated scopes.
///
/// ```
/// let r = sentryagent_idp::TokenExchangeRequest::new("eyJdelegation", "eyJactor").scope("agents:read");
/// let form = serde_json::to_value(&r).unwrap();
/// assert_eq!(form["grant_type"], sentryagent_idp::TOKEN_EXCHANGE_GRANT);
/// ```
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct TokenExchangeRequest {
    grant_type: &'static str,
    /// The delegation token.
    pub subject_token: Secret,
    /// Type of the subject token (default [`TOKEN_TYPE_DELEGATION`]; [`TOKEN_TYPE_ACCESS_TOKEN`]
    /// for the delegator's access token).
    pub subject_token_type: String,
    /// The delegatee's access token.
    pub actor_token: Secret,
    /// Type of the actor token (default [`TOKEN_TYPE_ACCESS_TOKEN`]).
    pub actor_token_type: String,
    /// Narrower scopes to request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// RFC 8693 `requested_token_type`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_token_type: Option<String>,
    /// RFC 8693 `audience`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// RFC 8693 `resource`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// Client authentication, when the server asks for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Client authentication, when the server asks for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Secret>,
}

impl TokenExchangeRequest {
    /// An exchange of `subject_token` (delegation token) acted on by `actor_token`.
    ///
    /// ```
    /// let r = sentryagent_idp::TokenExchangeRequest::new("s", "a");
    /// assert_eq!(r.actor_token_type, sentryagent_idp::TOKEN_TYPE_ACCESS_TOKEN);
    /// ```
    pub fn new(subject_token: impl Into<String>, actor_token: impl Into<String>) -> Self {
        Self {
            grant_type: TOKEN_EXCHANGE_GRANT,
            subject_token: Secret::new(subject_token),
            subject_token_type: TOKEN_TYPE_DELEGATION.to_owned(),
            actor_token: Secret::new(actor_token),
            actor_token_type: TOKEN_TYPE_ACCESS_TOKEN.to_owned(),
            scope: None,
            requested_token_type: None,
            audience: None,
            resource: None,
            client_id: None,
            client_secret: None,
        }
    }

    /// Adds client authentication to the request body.
    ///
    /// ```
    /// let r = sentryagent_idp::TokenExchangeRequest::new("s", "a").client_credentials("id", "secret");
    /// assert_eq!(r.client_id.as_deref(), Some("id"));
    /// ```
    #[must_use]
    pub fn client_credentials(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.client_id = Some(client_id.into());
        self.client_secret = Some(Secret::new(client_secret));
        self
    }
}

impl TokenExchangeRequest {
    /// Sets the subject token type.
    ///
    /// ```
    /// let r = sentryagent_idp::TokenExchangeRequest::new("s", "a")
    ///     .subject_token_type(sentryagent_idp::TOKEN_TYPE_ACCESS_TOKEN);
    /// assert_eq!(r.subject_token_type, sentryagent_idp::TOKEN_TYPE_ACCESS_TOKEN);
    /// ```
    #[must_use]
    pub fn subject_token_type(mut self, token_type: impl Into<String>) -> Self {
        self.subject_token_type = token_type.into();
        self
    }
}

setters!(TokenExchangeRequest {
    /// Sets the requested scopes.
    scope: String,
    /// Sets `requested_token_type`.
    requested_token_type: String,
    /// Sets `audience`.
    audience: String,
    /// Sets `resource`.
    resource: String,
});

/// RFC 7662 introspection answer (snake_case on the wire).
///
/// ```
/// let i: sentryagent_idp::Introspection =
///     serde_json::from_str(include_str!("../../tests/fixtures/introspection.json")).unwrap();
/// assert!(i.active);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Introspection {
    /// Whether the token is valid now; when false the other fields are absent.
    pub active: bool,
    /// Space-separated scopes.
    #[serde(default)]
    pub scope: Option<String>,
    /// Client id (agent id).
    #[serde(default)]
    pub client_id: Option<String>,
    /// Subject (agent id).
    #[serde(default)]
    pub sub: Option<String>,
    /// Tenant.
    #[serde(default)]
    pub organization_id: Option<String>,
    /// `Bearer`.
    #[serde(default)]
    pub token_type: Option<String>,
    /// Expiry, seconds since the epoch.
    #[serde(default)]
    pub exp: Option<i64>,
    /// Issue time, seconds since the epoch.
    #[serde(default)]
    pub iat: Option<i64>,
    /// Token id.
    #[serde(default)]
    pub jti: Option<String>,
    /// Issuer.
    #[serde(default)]
    pub iss: Option<String>,
    /// RFC 8693 actor chain of an exchanged token.
    #[serde(default)]
    pub act: Option<Value>,
    /// Delegation link of an exchanged token.
    #[serde(default)]
    pub delegation_id: Option<String>,
}

#[derive(Serialize)]
struct TokenBody<'a> {
    token: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    token_type_hint: Option<&'a str>,
}

/// Handler for tokens; get it from [`AgentIdPClient::tokens`].
///
/// ```no_run
/// # async fn f(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
/// let mine = client.tokens().access_token().await?;
/// let info = client.tokens().introspect(&mine).await?;
/// println!("{:?}", info.scope);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct TokensClient<'a> {
    client: &'a AgentIdPClient,
}

impl<'a> TokensClient<'a> {
    pub(crate) fn new(client: &'a AgentIdPClient) -> Self {
        Self { client }
    }

    /// The client's own access token, from the shared cache (see [`crate::TokenManager`]).
    ///
    /// # Errors
    ///
    /// [`AgentIdPError::Auth`] when the token endpoint refuses the client.
    ///
    /// ```no_run
    /// # async fn f(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// let token = client.tokens().access_token().await?;
    /// # let _ = token; Ok(()) }
    /// ```
    pub async fn access_token(&self) -> Result<Arc<str>, AgentIdPError> {
        self.client.token_manager().access_token().await
    }

    /// `POST /token` (client credentials) for any client; not cached.
    ///
    /// # Errors
    ///
    /// [`AgentIdPError::Auth`] with `invalid_client`, `invalid_scope`, … .
    ///
    /// ```no_run
    /// # use sentryagent_idp::*;
    /// # async fn f(client: AgentIdPClient) -> Result<(), AgentIdPError> {
    /// let t = client.tokens().issue(&IssueTokenRequest::new("agent-id", "sk_live_…").scope("agents:read")).await?;
    /// println!("expires in {} s", t.expires_in);
    /// # Ok(()) }
    /// ```
    pub async fn issue(&self, request: &IssueTokenRequest) -> Result<TokenResponse, AgentIdPError> {
        let rb = self.client.request(Method::POST, "/token").form(request);
        self.client.json(rb, Auth::None).await
    }

    /// `POST /token` with `grant_type=urn:ietf:params:oauth:grant-type:token-exchange`.
    /// The server authenticates the client making the exchange (the delegatee): unless the
    /// request names other credentials, this client's own are sent.
    ///
    /// # Errors
    ///
    /// [`AgentIdPError::Auth`] (`invalid_grant` for a revoked or expired delegation, …).
    ///
    /// ```no_run
    /// # use sentryagent_idp::*;
    /// # async fn f(delegatee: AgentIdPClient, delegation_token: String) -> Result<(), AgentIdPError> {
    /// let actor = delegatee.tokens().access_token().await?;
    /// let t = delegatee.tokens().exchange(&TokenExchangeRequest::new(delegation_token, actor.to_string())).await?;
    /// # let _ = t; Ok(()) }
    /// ```
    pub async fn exchange(
        &self,
        request: &TokenExchangeRequest,
    ) -> Result<TokenResponse, AgentIdPError> {
        let mut request = request.clone();
        if request.client_id.is_none() {
            let tm = self.client.token_manager();
            request.client_id = Some(tm.client_id().to_owned());
            request.client_secret = Some(tm.client_secret().clone());
        }
        let rb = self.client.request(Method::POST, "/token").form(&request);
        self.client.json(rb, Auth::None).await
    }

    /// `POST /token/introspect` (RFC 7662, scope `tokens:read`).
    ///
    /// # Errors
    ///
    /// `FORBIDDEN` without `tokens:read`.
    ///
    /// ```no_run
    /// # async fn f(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// let i = client.tokens().introspect("eyJ…").await?;
    /// println!("active: {}", i.active);
    /// # Ok(()) }
    /// ```
    pub async fn introspect(&self, token: &str) -> Result<Introspection, AgentIdPError> {
        let body = TokenBody {
            token,
            token_type_hint: None,
        };
        let rb = self
            .client
            .request(Method::POST, "/token/introspect")
            .json(&body);
        self.client.json(rb, Auth::Bearer).await
    }

    /// `POST /token/revoke` (RFC 7009): the token stops working everywhere.
    ///
    /// # Errors
    ///
    /// Permission and transport errors; an unknown token is not an error (RFC 7009).
    ///
    /// ```no_run
    /// # async fn f(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// client.tokens().revoke("eyJ…").await?;
    /// # Ok(()) }
    /// ```
    pub async fn revoke(&self, token: &str) -> Result<(), AgentIdPError> {
        let body = TokenBody {
            token,
            token_type_hint: None,
        };
        let rb = self
            .client
            .request(Method::POST, "/token/revoke")
            .json(&body);
        self.client.empty(rb, Auth::Bearer).await
    }
}
