//! WS2: A2A delegation chains under `/oauth2/token/delegate` and `/delegations`.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::client::{AgentIdPClient, Auth, segment};
use crate::error::AgentIdPError;
use crate::macros::setters;
use crate::token::Secret;

/// Body of `POST /oauth2/token/delegate`.
///
/// ```
/// let r = sentryagent_idp::DelegateRequest::new("delegatee-id", ["agents:read"], 600);
/// assert_eq!(
///     serde_json::to_string(&r).unwrap(),
///     r#"{"delegateeAgentId":"delegatee-id","scopes":["agents:read"],"ttlSeconds":600}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DelegateRequest {
    /// The agent receiving the scopes (same tenant, active, not the caller).
    pub delegatee_agent_id: String,
    /// Non-empty subset of the caller's scopes (and of the parent link's, when re-delegating).
    pub scopes: Vec<String>,
    /// 60–86400, and no longer than the parent's remaining life.
    pub ttl_seconds: u32,
    /// The parent link's token, for a re-delegation by the parent's delegatee.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_delegation_token: Option<String>,
}

impl DelegateRequest {
    /// A first-hop delegation.
    ///
    /// ```
    /// let r = sentryagent_idp::DelegateRequest::new("id", vec!["audit:read".to_string()], 3600);
    /// assert_eq!(r.ttl_seconds, 3600);
    /// ```
    pub fn new<I, S>(delegatee_agent_id: impl Into<String>, scopes: I, ttl_seconds: u32) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            delegatee_agent_id: delegatee_agent_id.into(),
            scopes: scopes.into_iter().map(Into::into).collect(),
            ttl_seconds,
            parent_delegation_token: None,
        }
    }
}

setters!(DelegateRequest {
    /// Makes this a re-delegation of the given parent link.
    parent_delegation_token: String,
});

/// A delegation link, as created (`201`).
///
/// ```
/// let d: sentryagent_idp::Delegation =
///     serde_json::from_str(include_str!("../../tests/fixtures/delegation.json")).unwrap();
/// assert_eq!(d.depth, 1);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Delegation {
    /// Compact JWS (EdDSA) naming the link and carrying the chain as nested `act` claims.
    pub delegation_token: Secret,
    /// This link's id.
    pub chain_id: String,
    /// The delegator.
    pub delegator_agent_id: String,
    /// The delegatee.
    pub delegatee_agent_id: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// RFC 3339 expiry.
    pub expires_at: String,
    /// 1 for a first hop.
    pub depth: u32,
    /// The first link of the chain (this one for a first hop).
    pub root_chain_id: String,
    /// The parent link, for a re-delegation.
    pub parent_chain_id: Option<String>,
}

/// One hop of a verified chain (the `DelegationChainHop` schema), root first.
///
/// ```
/// let h: sentryagent_idp::ChainHop = serde_json::from_str(r#"{"chainId":"c","depth":1,"delegatorAgentId":"a",
///     "delegateeAgentId":"b","scopesGranted":["x:y"],"scopesDropped":[],"expiresAt":"2026-11-29T00:00:00Z"}"#).unwrap();
/// assert_eq!(h.scopes_granted, ["x:y"]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ChainHop {
    /// The link's id.
    pub chain_id: String,
    /// Its depth.
    pub depth: u32,
    /// Its delegator.
    pub delegator_agent_id: String,
    /// Its delegatee.
    pub delegatee_agent_id: String,
    /// Scopes it grants.
    pub scopes_granted: Vec<String>,
    /// Scopes of the parent link it did not pass on.
    pub scopes_dropped: Vec<String>,
    /// RFC 3339 expiry.
    pub expires_at: String,
}

/// Why a delegation token is not valid.
///
/// ```
/// let r: sentryagent_idp::InvalidReason = serde_json::from_str(r#""bad_signature""#).unwrap();
/// assert_eq!(r, sentryagent_idp::InvalidReason::BadSignature);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum InvalidReason {
    /// The link (or one above it) expired.
    Expired,
    /// The link (or one above it) was revoked.
    Revoked,
    /// A signature does not verify.
    BadSignature,
    /// The link is not known.
    Unknown,
    /// A signing credential was rotated or revoked.
    CredentialRevoked,
    /// Not a delegation token.
    Malformed,
    /// A reason this SDK version does not know.
    #[serde(other)]
    Other,
}

/// Answer of `POST /oauth2/token/verify-delegation`.
///
/// ```
/// let v: sentryagent_idp::DelegationVerification =
///     serde_json::from_str(r#"{"valid":false,"reason":"revoked"}"#).unwrap();
/// assert_eq!(v.reason, Some(sentryagent_idp::InvalidReason::Revoked));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DelegationVerification {
    /// Whether the token and its whole chain are valid now.
    pub valid: bool,
    /// Why not, when `valid` is false.
    #[serde(default)]
    pub reason: Option<InvalidReason>,
    /// The link verified.
    #[serde(default)]
    pub chain_id: Option<String>,
    /// Effective scopes.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    /// RFC 3339 expiry.
    #[serde(default)]
    pub expires_at: Option<String>,
    /// Its delegator.
    #[serde(default)]
    pub delegator_agent_id: Option<String>,
    /// Its delegatee.
    #[serde(default)]
    pub delegatee_agent_id: Option<String>,
    /// Its depth.
    #[serde(default)]
    pub depth: Option<u32>,
    /// The first link of the chain.
    #[serde(default)]
    pub root_chain_id: Option<String>,
    /// Every hop from the root.
    #[serde(default)]
    pub chain: Vec<ChainHop>,
}

/// State of a delegation link.
///
/// ```
/// let s: sentryagent_idp::DelegationStatus = serde_json::from_str(r#""credential_revoked""#).unwrap();
/// assert_eq!(s, sentryagent_idp::DelegationStatus::CredentialRevoked);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DelegationStatus {
    /// In force.
    Active,
    /// Revoked (itself or above).
    Revoked,
    /// Past its expiry.
    Expired,
    /// Its signing credential was rotated or revoked.
    CredentialRevoked,
    /// A state this SDK version does not know.
    #[serde(other)]
    Other,
}

/// A stored link (the `DelegationLink` schema).
///
/// ```
/// let l: sentryagent_idp::DelegationLink = serde_json::from_str(r#"{"chainId":"c","parentChainId":null,"depth":1,
///     "delegatorAgentId":"a","delegateeAgentId":"b","scopes":[],"expiresAt":"t","status":"active"}"#).unwrap();
/// assert_eq!(l.status, sentryagent_idp::DelegationStatus::Active);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DelegationLink {
    /// The link's id.
    pub chain_id: String,
    /// Its parent.
    pub parent_chain_id: Option<String>,
    /// Its depth.
    pub depth: u32,
    /// Its delegator.
    pub delegator_agent_id: String,
    /// Its delegatee.
    pub delegatee_agent_id: String,
    /// Scopes it grants.
    pub scopes: Vec<String>,
    /// RFC 3339 expiry.
    pub expires_at: String,
    /// State.
    pub status: DelegationStatus,
}

/// Answer of `DELETE /oauth2/token/delegate/{chainId}` (and of its dry run: the blast radius).
///
/// ```
/// let r: sentryagent_idp::DelegationRevocation = serde_json::from_str(
///     r#"{"chainId":"c","dryRun":true,"revokedChainIds":["c"],"affectedAgentIds":["b"],"links":[]}"#).unwrap();
/// assert!(r.dry_run);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DelegationRevocation {
    /// The link named.
    pub chain_id: String,
    /// Whether nothing was revoked.
    pub dry_run: bool,
    /// Links revoked by this call (would be, on a dry run); empty when already revoked.
    pub revoked_chain_ids: Vec<String>,
    /// Delegatees that lose access.
    pub affected_agent_ids: Vec<String>,
    /// The links concerned.
    pub links: Vec<DelegationLink>,
}

/// Answer of `GET /delegations/{chainId}/descendants`.
///
/// ```
/// let d: sentryagent_idp::DelegationDescendants =
///     serde_json::from_str(r#"{"chainId":"c","data":[],"affectedAgentIds":[]}"#).unwrap();
/// assert!(d.data.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DelegationDescendants {
    /// The link named.
    pub chain_id: String,
    /// Every downstream link.
    pub data: Vec<DelegationLink>,
    /// Every downstream delegatee.
    pub affected_agent_ids: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VerifyBody<'a> {
    delegation_token: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DryRun {
    dry_run: bool,
}

/// Handler for delegation; get it from [`AgentIdPClient::delegation`]. Calls act as the
/// client's agent (the delegator, or the delegatee when re-delegating).
///
/// ```no_run
/// # use sentryagent_idp::*;
/// # async fn f(client: AgentIdPClient) -> Result<(), AgentIdPError> {
/// let link = client.delegation().delegate(&DelegateRequest::new("b-agent", ["agents:read"], 600)).await?;
/// let check = client.delegation().verify(link.delegation_token.expose()).await?;
/// assert!(check.valid);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct DelegationClient<'a> {
    client: &'a AgentIdPClient,
}

impl<'a> DelegationClient<'a> {
    pub(crate) fn new(client: &'a AgentIdPClient) -> Self {
        Self { client }
    }

    /// `POST /oauth2/token/delegate`.
    ///
    /// # Errors
    ///
    /// `VALIDATION_ERROR`, `FORBIDDEN` (scopes not held), `AGENT_NOT_FOUND`, depth and cycle errors.
    ///
    /// ```no_run
    /// # use sentryagent_idp::*;
    /// # async fn f(client: AgentIdPClient) -> Result<(), AgentIdPError> {
    /// let d = client.delegation().delegate(&DelegateRequest::new("b", ["agents:read"], 600)).await?;
    /// # let _ = d; Ok(()) }
    /// ```
    pub async fn delegate(&self, request: &DelegateRequest) -> Result<Delegation, AgentIdPError> {
        let rb = self
            .client
            .request(Method::POST, "/oauth2/token/delegate")
            .json(request);
        self.client.json(rb, Auth::Bearer).await
    }

    /// Re-delegation: `POST /oauth2/token/delegate` with `parentDelegationToken`; the client
    /// must be the parent link's delegatee.
    ///
    /// # Errors
    ///
    /// As [`delegate`](Self::delegate).
    ///
    /// ```no_run
    /// # use sentryagent_idp::*;
    /// # async fn f(b: AgentIdPClient, parent: Delegation) -> Result<(), AgentIdPError> {
    /// let d = b.delegation().redelegate(parent.delegation_token.expose(), &DelegateRequest::new("c", ["agents:read"], 300)).await?;
    /// assert_eq!(d.depth, 2);
    /// # Ok(()) }
    /// ```
    pub async fn redelegate(
        &self,
        parent_delegation_token: &str,
        request: &DelegateRequest,
    ) -> Result<Delegation, AgentIdPError> {
        let request = request
            .clone()
            .parent_delegation_token(parent_delegation_token);
        self.delegate(&request).await
    }

    /// `POST /oauth2/token/verify-delegation`; an invalid token is `valid: false`, not an error.
    ///
    /// # Errors
    ///
    /// Transport and permission errors only.
    ///
    /// ```no_run
    /// # async fn f(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// let v = client.delegation().verify("eyJ…").await?;
    /// println!("{} {:?}", v.valid, v.reason);
    /// # Ok(()) }
    /// ```
    pub async fn verify(
        &self,
        delegation_token: &str,
    ) -> Result<DelegationVerification, AgentIdPError> {
        let rb = self
            .client
            .request(Method::POST, "/oauth2/token/verify-delegation")
            .json(&VerifyBody { delegation_token });
        self.client.json(rb, Auth::Bearer).await
    }

    /// `DELETE /oauth2/token/delegate/{chainId}`: revokes the link and everything downstream
    /// (idempotent).
    ///
    /// # Errors
    ///
    /// `FORBIDDEN` unless the link's delegator or an `admin:orgs` agent; 404 for an unknown link.
    ///
    /// ```no_run
    /// # async fn f(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// client.delegation().revoke("chain-id").await?;
    /// # Ok(()) }
    /// ```
    pub async fn revoke(&self, chain_id: &str) -> Result<DelegationRevocation, AgentIdPError> {
        let rb = self
            .client
            .request(
                Method::DELETE,
                &format!("/oauth2/token/delegate/{}", segment(chain_id)),
            )
            .query(&DryRun { dry_run: false });
        self.client.json(rb, Auth::Bearer).await
    }

    /// `DELETE /oauth2/token/delegate/{chainId}?dryRun=true`: the blast radius, nothing revoked.
    ///
    /// # Errors
    ///
    /// As [`revoke`](Self::revoke).
    ///
    /// ```no_run
    /// # async fn f(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// let impact = client.delegation().revoke_dry_run("chain-id").await?;
    /// println!("{} agents would lose access", impact.affected_agent_ids.len());
    /// # Ok(()) }
    /// ```
    pub async fn revoke_dry_run(
        &self,
        chain_id: &str,
    ) -> Result<DelegationRevocation, AgentIdPError> {
        let rb = self
            .client
            .request(
                Method::DELETE,
                &format!("/oauth2/token/delegate/{}", segment(chain_id)),
            )
            .query(&DryRun { dry_run: true });
        self.client.json(rb, Auth::Bearer).await
    }

    /// `GET /delegations/{chainId}/descendants`: every downstream link and agent.
    ///
    /// # Errors
    ///
    /// 404 for an unknown link.
    ///
    /// ```no_run
    /// # async fn f(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// let d = client.delegation().descendants("chain-id").await?;
    /// # let _ = d; Ok(()) }
    /// ```
    pub async fn descendants(
        &self,
        chain_id: &str,
    ) -> Result<DelegationDescendants, AgentIdPError> {
        let rb = self.client.request(
            Method::GET,
            &format!("/delegations/{}/descendants", segment(chain_id)),
        );
        self.client.json(rb, Auth::Bearer).await
    }
}
