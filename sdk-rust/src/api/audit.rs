//! `/audit`: the hash-chained audit log.

use futures_util::Stream;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::{AgentIdPClient, Auth};
use crate::error::AgentIdPError;
use crate::macros::setters;
use crate::pagination::{Page, paginate};

/// One audit event (the `AuditEvent` schema).
///
/// ```
/// let e: sentryagent_idp::AuditEvent =
///     serde_json::from_str(include_str!("../../tests/fixtures/audit-event.json")).unwrap();
/// assert_eq!(e.outcome, "success");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AuditEvent {
    /// Event UUID.
    pub event_id: String,
    /// The tenant.
    pub organization_id: String,
    /// The acting agent, when there was one.
    pub agent_id: Option<String>,
    /// What happened, e.g. `agent.created`.
    pub action: String,
    /// `success` or `failure`.
    pub outcome: String,
    /// RFC 3339 time.
    pub timestamp: String,
    /// Action-specific details.
    pub details: Map<String, Value>,
    /// Position in the tenant's chain.
    pub sequence: i64,
    /// SHA-256 over the event and the previous hash.
    pub hash: String,
}

/// Query of `GET /audit`.
///
/// ```
/// let q = sentryagent_idp::AuditQuery::new().action("agent.created").limit(100u32);
/// assert_eq!(q.action.as_deref(), Some("agent.created"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AuditQuery {
    /// 1-based page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Page size, 1–100.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Only this action.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// Only this agent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// `success` or `failure`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// RFC 3339 lower bound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// RFC 3339 upper bound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

impl AuditQuery {
    /// No filter.
    ///
    /// ```
    /// assert_eq!(sentryagent_idp::AuditQuery::new().page, None);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(AuditQuery {
    /// Sets the page.
    page: u32,
    /// Sets the page size.
    limit: u32,
    /// Filters by action.
    action: String,
    /// Filters by agent.
    agent_id: String,
    /// Filters by outcome.
    outcome: String,
    /// Sets the lower time bound.
    from: String,
    /// Sets the upper time bound.
    to: String,
});

/// Answer of `GET /audit/verify`.
///
/// ```
/// let v: sentryagent_idp::AuditVerification =
///     serde_json::from_str(include_str!("../../tests/fixtures/audit-verify.json")).unwrap();
/// assert!(v.valid);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AuditVerification {
    /// Whether the whole chain verifies.
    pub valid: bool,
    /// Events checked.
    pub events_checked: u64,
    /// The first event whose hash does not match.
    pub first_invalid_event_id: Option<String>,
    /// Hash of the newest event.
    pub head_hash: Option<String>,
}

/// Handler for `/audit`; get it from [`AgentIdPClient::audit`].
///
/// ```no_run
/// # async fn f(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
/// let recent = client.audit().query(&Default::default()).await?;
/// # let _ = recent; Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct AuditClient<'a> {
    client: &'a AgentIdPClient,
}

impl<'a> AuditClient<'a> {
    pub(crate) fn new(client: &'a AgentIdPClient) -> Self {
        Self { client }
    }

    /// `GET /audit`: one page, newest first (scope `audit:read`).
    ///
    /// # Errors
    ///
    /// `FORBIDDEN` without `audit:read`, `VALIDATION_ERROR` for bad filters.
    ///
    /// ```no_run
    /// # use sentryagent_idp::*;
    /// # async fn f(client: AgentIdPClient) -> Result<(), AgentIdPError> {
    /// let page = client.audit().query(&AuditQuery::new().outcome("failure")).await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub async fn query(&self, query: &AuditQuery) -> Result<Page<AuditEvent>, AgentIdPError> {
        let rb = self.client.request(Method::GET, "/audit").query(query);
        self.client.json(rb, Auth::Bearer).await
    }

    /// `GET /audit`, every page, as a stream.
    ///
    /// ```no_run
    /// use futures_util::TryStreamExt;
    /// # async fn f(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// let events: Vec<_> = client.audit().stream(Default::default()).try_collect().await?;
    /// # let _ = events; Ok(()) }
    /// ```
    pub fn stream(
        &self,
        query: AuditQuery,
    ) -> impl Stream<Item = Result<AuditEvent, AgentIdPError>> + Send + 'static {
        let client = self.client.clone();
        paginate(query.page.unwrap_or(1), move |page| {
            let client = client.clone();
            let query = query.clone().page(page);
            async move { client.audit().query(&query).await }
        })
    }

    /// `GET /audit/verify`: checks the tenant's hash chain.
    ///
    /// # Errors
    ///
    /// `FORBIDDEN` without `audit:read`.
    ///
    /// ```no_run
    /// # async fn f(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// let v = client.audit().verify().await?;
    /// assert!(v.valid);
    /// # Ok(()) }
    /// ```
    pub async fn verify(&self) -> Result<AuditVerification, AgentIdPError> {
        let rb = self.client.request(Method::GET, "/audit/verify");
        self.client.json(rb, Auth::Bearer).await
    }
}
