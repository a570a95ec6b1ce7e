//! `/agents/{agentId}/credentials`: client credentials of an agent.

use futures_util::Stream;
use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::client::{AgentIdPClient, Auth, segment};
use crate::error::AgentIdPError;
use crate::macros::setters;
use crate::pagination::{Page, paginate};
use crate::token::Secret;

/// State of a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum CredentialStatus {
    /// `active`
    Active,
    /// `revoked`
    Revoked,
}

/// A credential (the `Credential` schema); the secret is never listed.
///
/// ```
/// let c: sentryagent_idp::Credential =
///     serde_json::from_str(include_str!("../../tests/fixtures/credential.json")).unwrap();
/// assert_eq!(c.status, sentryagent_idp::CredentialStatus::Active);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Credential {
    /// Credential UUID.
    pub credential_id: String,
    /// The client id: the agent id.
    pub client_id: String,
    /// State.
    pub status: CredentialStatus,
    /// RFC 3339 creation time.
    pub created_at: String,
    /// RFC 3339 expiry, if any.
    pub expires_at: Option<String>,
    /// RFC 3339 revocation time, if revoked.
    pub revoked_at: Option<String>,
    /// JWK thumbprint of the Ed25519 key that signs this credential's delegations.
    pub signing_key_id: String,
}

/// A credential with its secret, returned once by create and rotate.
///
/// ```
/// let c: sentryagent_idp::CredentialWithSecret =
///     serde_json::from_str(include_str!("../../tests/fixtures/credential-created.json")).unwrap();
/// assert!(c.client_secret.expose().starts_with("sk_live_"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CredentialWithSecret {
    /// The credential.
    #[serde(flatten)]
    pub credential: Credential,
    /// The secret (`sk_live_…`): shown once, store it now.
    pub client_secret: Secret,
}

/// Body of `POST /agents/{agentId}/credentials`.
///
/// ```
/// let r = sentryagent_idp::CreateCredentialRequest::new().expires_at("2027-01-01T00:00:00Z");
/// assert_eq!(serde_json::to_string(&r).unwrap(), r#"{"expiresAt":"2027-01-01T00:00:00Z"}"#);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateCredentialRequest {
    /// RFC 3339 expiry; none means it does not expire.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

impl CreateCredentialRequest {
    /// A credential without expiry.
    ///
    /// ```
    /// let r = sentryagent_idp::CreateCredentialRequest::new();
    /// assert_eq!(serde_json::to_string(&r).unwrap(), "{}");
    /// ```
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(CreateCredentialRequest {
    /// Sets the RFC 3339 expiry.
    expires_at: String,
});

/// Query of the paginated lists without filters.
///
/// ```
/// let p = sentryagent_idp::PageParams::new().page(2u32).limit(10u32);
/// assert_eq!(p.page, Some(2));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct PageParams {
    /// 1-based page (default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Page size, 1–100 (default 20).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

impl PageParams {
    /// Server defaults.
    ///
    /// ```
    /// assert_eq!(sentryagent_idp::PageParams::new().limit, None);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(PageParams {
    /// Sets the page.
    page: u32,
    /// Sets the page size.
    limit: u32,
});

/// Handler for credentials; get it from [`AgentIdPClient::credentials`].
///
/// ```no_run
/// # async fn f(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
/// let created = client.credentials().create("3f1c…", &Default::default()).await?;
/// println!("store this once: {}", created.client_secret.expose());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct CredentialsClient<'a> {
    client: &'a AgentIdPClient,
}

impl<'a> CredentialsClient<'a> {
    pub(crate) fn new(client: &'a AgentIdPClient) -> Self {
        Self { client }
    }

    /// `POST /agents/{agentId}/credentials`: a new credential and its secret.
    ///
    /// # Errors
    ///
    /// `AGENT_NOT_FOUND`, `VALIDATION_ERROR`, permission errors.
    ///
    /// ```no_run
    /// # use sentryagent_idp::*;
    /// # async fn f(client: AgentIdPClient) -> Result<(), AgentIdPError> {
    /// let c = client.credentials().create("3f1c…", &CreateCredentialRequest::new()).await?;
    /// # let _ = c; Ok(()) }
    /// ```
    pub async fn create(
        &self,
        agent_id: &str,
        request: &CreateCredentialRequest,
    ) -> Result<CredentialWithSecret, AgentIdPError> {
        let rb = self
            .client
            .request(
                Method::POST,
                &format!("/agents/{}/credentials", segment(agent_id)),
            )
            .json(request);
        self.client.json(rb, Auth::Bearer).await
    }

    /// `GET /agents/{agentId}/credentials`: one page.
    ///
    /// # Errors
    ///
    /// `AGENT_NOT_FOUND`.
    ///
    /// ```no_run
    /// # async fn f(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// let page = client.credentials().list("3f1c…", &Default::default()).await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub async fn list(
        &self,
        agent_id: &str,
        params: &PageParams,
    ) -> Result<Page<Credential>, AgentIdPError> {
        let rb = self
            .client
            .request(
                Method::GET,
                &format!("/agents/{}/credentials", segment(agent_id)),
            )
            .query(params);
        self.client.json(rb, Auth::Bearer).await
    }

    /// Every credential of an agent as a stream.
    ///
    /// ```no_run
    /// use futures_util::TryStreamExt;
    /// # async fn f(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// let all: Vec<_> = client.credentials().stream("3f1c…", Default::default()).try_collect().await?;
    /// # let _ = all; Ok(()) }
    /// ```
    pub fn stream(
        &self,
        agent_id: &str,
        params: PageParams,
    ) -> impl Stream<Item = Result<Credential, AgentIdPError>> + Send + 'static {
        let client = self.client.clone();
        let agent_id = agent_id.to_owned();
        paginate(params.page.unwrap_or(1), move |page| {
            let client = client.clone();
            let agent_id = agent_id.clone();
            let params = params.clone().page(page);
            async move { client.credentials().list(&agent_id, &params).await }
        })
    }

    /// `POST /agents/{agentId}/credentials/{credentialId}/rotate`: a new secret; the old one
    /// stops working.
    ///
    /// # Errors
    ///
    /// 404 for an unknown credential, 409 for a revoked one.
    ///
    /// ```no_run
    /// # async fn f(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// let rotated = client.credentials().rotate("3f1c…", "9a0e…").await?;
    /// # let _ = rotated; Ok(()) }
    /// ```
    pub async fn rotate(
        &self,
        agent_id: &str,
        credential_id: &str,
    ) -> Result<CredentialWithSecret, AgentIdPError> {
        let rb = self.client.request(
            Method::POST,
            &format!(
                "/agents/{}/credentials/{}/rotate",
                segment(agent_id),
                segment(credential_id)
            ),
        );
        self.client.json(rb, Auth::Bearer).await
    }

    /// `DELETE /agents/{agentId}/credentials/{credentialId}`: revokes the credential.
    ///
    /// # Errors
    ///
    /// 404 for an unknown credential.
    ///
    /// ```no_run
    /// # async fn f(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// client.credentials().revoke("3f1c…", "9a0e…").await?;
    /// # Ok(()) }
    /// ```
    pub async fn revoke(&self, agent_id: &str, credential_id: &str) -> Result<(), AgentIdPError> {
        let rb = self.client.request(
            Method::DELETE,
            &format!(
                "/agents/{}/credentials/{}",
                segment(agent_id),
                segment(credential_id)
            ),
        );
        self.client.empty(rb, Auth::Bearer).await
    }
}
