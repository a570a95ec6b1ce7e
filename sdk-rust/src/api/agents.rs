//! `/agents`: the agent registry.

use futures_util::Stream;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::agntcy::AgentSkill;
use crate::client::{AgentIdPClient, Auth, segment};
use crate::error::AgentIdPError;
use crate::macros::setters;
use crate::pagination::{Page, paginate};

/// What an agent does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum AgentType {
    /// `screener`
    Screener,
    /// `classifier`
    Classifier,
    /// `orchestrator`
    Orchestrator,
    /// `extractor`
    Extractor,
    /// `summarizer`
    Summarizer,
    /// `router`
    Router,
    /// `monitor`
    Monitor,
    /// `custom`
    Custom,
}

/// Where an agent is deployed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum DeploymentEnv {
    /// `development`
    Development,
    /// `staging`
    Staging,
    /// `production`
    Production,
}

/// Lifecycle state of an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum AgentStatus {
    /// `active`
    Active,
    /// `suspended`
    Suspended,
    /// `decommissioned` (after `DELETE`; a soft delete)
    Decommissioned,
}

/// The optional registry fields an agent's A2A card is built from (WS6): on [`Agent`], and
/// accepted by [`CreateAgentRequest`] and [`UpdateAgentRequest`]. Unset fields are left out of
/// the JSON.
///
/// ```
/// use sentryagent_idp::{AgentCardFields, AgentSkill};
/// let card = AgentCardFields::new()
///     .description("Summarizes tickets")
///     .skills(vec![AgentSkill::new("summarize", "Summarize")])
///     .is_public(true);
/// assert_eq!(serde_json::to_value(&card).unwrap()["isPublic"], true);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AgentCardFields {
    /// What the agent does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The URL where the agent serves A2A.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub a2a_endpoint_url: Option<String>,
    /// The skills its card advertises.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skills: Option<Vec<AgentSkill>>,
    /// Media types it accepts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_modes: Option<Vec<String>>,
    /// Media types it produces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_modes: Option<Vec<String>>,
    /// Whether its card is served without a token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_public: Option<bool>,
}

impl AgentCardFields {
    /// No fields set.
    ///
    /// ```
    /// let c = sentryagent_idp::AgentCardFields::new();
    /// assert_eq!(serde_json::to_string(&c).unwrap(), "{}");
    /// ```
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(AgentCardFields {
    /// Sets the card description.
    description: String,
    /// Sets the A2A endpoint URL.
    a2a_endpoint_url: String,
    /// Replaces the card skills.
    skills: Vec<AgentSkill>,
    /// Replaces the accepted media types.
    input_modes: Vec<String>,
    /// Replaces the produced media types.
    output_modes: Vec<String>,
    /// Serves the card publicly (or not).
    is_public: bool,
});

/// A registered agent (the `Agent` schema).
///
/// ```
/// let json = include_str!("../../tests/fixtures/agent.json");
/// let agent: sentryagent_idp::Agent = serde_json::from_str(json).unwrap();
/// assert_eq!(agent.agent_type, sentryagent_idp::AgentType::Classifier);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Agent {
    /// Immutable UUID; also the client id of its credentials.
    pub agent_id: String,
    /// The owning organization (tenant).
    pub organization_id: String,
    /// Unique e-mail.
    pub email: String,
    /// What the agent does.
    pub agent_type: AgentType,
    /// Semver version.
    pub version: String,
    /// `resource:action` scopes the agent may hold.
    pub capabilities: Vec<String>,
    /// Owning team or person.
    pub owner: String,
    /// Deployment environment.
    pub deployment_env: DeploymentEnv,
    /// Lifecycle state.
    pub status: AgentStatus,
    /// RFC 3339 creation time.
    pub created_at: String,
    /// RFC 3339 time of the last change.
    pub updated_at: String,
    /// The registry fields its A2A card is built from.
    #[serde(flatten)]
    pub card: AgentCardFields,
}

/// Body of `POST /agents`.
///
/// ```
/// use sentryagent_idp::{AgentType, CreateAgentRequest, DeploymentEnv};
/// let req = CreateAgentRequest::new("bot@acme.example", AgentType::Classifier, "1.0.0", "ml-team", DeploymentEnv::Development)
///     .capability("agents:read");
/// assert_eq!(serde_json::to_value(&req).unwrap()["capabilities"][0], "agents:read");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateAgentRequest {
    /// Unique e-mail.
    pub email: String,
    /// What the agent does.
    pub agent_type: AgentType,
    /// Semver version.
    pub version: String,
    /// At least one `resource:action` scope.
    pub capabilities: Vec<String>,
    /// Owning team or person (1–128 chars).
    pub owner: String,
    /// Deployment environment.
    pub deployment_env: DeploymentEnv,
    /// Registry fields for the agent's A2A card (all optional).
    #[serde(flatten)]
    pub card: AgentCardFields,
}

impl CreateAgentRequest {
    /// The required fields; add capabilities with [`capability`](Self::capability).
    ///
    /// ```
    /// # use sentryagent_idp::*;
    /// let r = CreateAgentRequest::new("a@b.example", AgentType::Custom, "0.1.0", "me", DeploymentEnv::Staging);
    /// assert!(r.capabilities.is_empty());
    /// ```
    pub fn new(
        email: impl Into<String>,
        agent_type: AgentType,
        version: impl Into<String>,
        owner: impl Into<String>,
        deployment_env: DeploymentEnv,
    ) -> Self {
        Self {
            email: email.into(),
            agent_type,
            version: version.into(),
            capabilities: Vec::new(),
            owner: owner.into(),
            deployment_env,
            card: AgentCardFields::default(),
        }
    }

    /// Adds one capability.
    ///
    /// ```
    /// # use sentryagent_idp::*;
    /// let r = CreateAgentRequest::new("a@b.example", AgentType::Custom, "0.1.0", "me", DeploymentEnv::Staging)
    ///     .capability("agents:read").capability("audit:read");
    /// assert_eq!(r.capabilities.len(), 2);
    /// ```
    #[must_use]
    pub fn capability(mut self, scope: impl Into<String>) -> Self {
        self.capabilities.push(scope.into());
        self
    }

    /// Replaces the capabilities.
    ///
    /// ```
    /// # use sentryagent_idp::*;
    /// let r = CreateAgentRequest::new("a@b.example", AgentType::Custom, "0.1.0", "me", DeploymentEnv::Staging)
    ///     .capabilities(["agents:read", "agents:write"]);
    /// assert_eq!(r.capabilities.len(), 2);
    /// ```
    #[must_use]
    pub fn capabilities<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.capabilities = scopes.into_iter().map(Into::into).collect();
        self
    }
}

impl CreateAgentRequest {
    /// Sets the A2A card fields.
    #[must_use]
    pub fn card(mut self, card: AgentCardFields) -> Self {
        self.card = card;
        self
    }
}

/// Body of `PATCH /agents/{agentId}`: only the fields set are sent.
///
/// ```
/// use sentryagent_idp::{AgentStatus, UpdateAgentRequest};
/// let req = UpdateAgentRequest::new().owner("platform").status(AgentStatus::Suspended);
/// assert_eq!(serde_json::to_string(&req).unwrap(), r#"{"owner":"platform","status":"suspended"}"#);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UpdateAgentRequest {
    /// New e-mail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// New type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_type: Option<AgentType>,
    /// New version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// New capabilities (replaces the list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Vec<String>>,
    /// New owner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// New deployment environment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment_env: Option<DeploymentEnv>,
    /// `active` or `suspended`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<AgentStatus>,
    /// Card fields to change; those left `None` stay as they are.
    #[serde(flatten)]
    pub card: AgentCardFields,
}

impl UpdateAgentRequest {
    /// An empty update; set at least one field.
    ///
    /// ```
    /// let r = sentryagent_idp::UpdateAgentRequest::new();
    /// assert_eq!(serde_json::to_string(&r).unwrap(), "{}");
    /// ```
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(UpdateAgentRequest {
    /// Sets the e-mail.
    email: String,
    /// Sets the type.
    agent_type: AgentType,
    /// Sets the version.
    version: String,
    /// Replaces the capabilities.
    capabilities: Vec<String>,
    /// Sets the owner.
    owner: String,
    /// Sets the deployment environment.
    deployment_env: DeploymentEnv,
    /// Suspends or reactivates.
    status: AgentStatus,
});

impl UpdateAgentRequest {
    /// Sets the A2A card fields to change:
    /// `UpdateAgentRequest::new().card(AgentCardFields::new().is_public(true))` sends
    /// `{"isPublic":true}`.
    #[must_use]
    pub fn card(mut self, card: AgentCardFields) -> Self {
        self.card = card;
        self
    }
}

/// Query of `GET /agents`.
///
/// ```
/// use sentryagent_idp::{AgentStatus, ListAgentsParams};
/// let p = ListAgentsParams::new().limit(50u32).status(AgentStatus::Active);
/// assert_eq!(p.limit, Some(50));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListAgentsParams {
    /// 1-based page (default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Page size, 1–100 (default 20).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Only agents in this state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<AgentStatus>,
    /// Only agents of this type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_type: Option<AgentType>,
    /// Only agents in this environment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment_env: Option<DeploymentEnv>,
}

impl ListAgentsParams {
    /// No filter, server defaults.
    ///
    /// ```
    /// let p = sentryagent_idp::ListAgentsParams::new();
    /// assert_eq!(p.page, None);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(ListAgentsParams {
    /// Sets the page.
    page: u32,
    /// Sets the page size.
    limit: u32,
    /// Filters by state.
    status: AgentStatus,
    /// Filters by type.
    agent_type: AgentType,
    /// Filters by environment.
    deployment_env: DeploymentEnv,
});

/// Handler for `/agents`; get it from [`AgentIdPClient::agents`].
///
/// ```no_run
/// use futures_util::TryStreamExt;
/// # async fn f(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
/// let all: Vec<_> = client.agents().stream(Default::default()).try_collect().await?;
/// # let _ = all; Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct AgentsClient<'a> {
    client: &'a AgentIdPClient,
}

impl<'a> AgentsClient<'a> {
    pub(crate) fn new(client: &'a AgentIdPClient) -> Self {
        Self { client }
    }

    /// `POST /agents`: registers an agent (`409 AGENT_ALREADY_EXISTS` on a duplicate e-mail).
    ///
    /// # Errors
    ///
    /// [`AgentIdPError::Api`] for validation, permission and conflict errors, and the
    /// transport errors of any call.
    ///
    /// ```no_run
    /// # use sentryagent_idp::*;
    /// # async fn f(client: AgentIdPClient) -> Result<(), AgentIdPError> {
    /// let agent = client.agents().create(
    ///     &CreateAgentRequest::new("bot@acme.example", AgentType::Classifier, "1.0.0", "ml", DeploymentEnv::Development)
    ///         .capability("agents:read"),
    /// ).await?;
    /// println!("{}", agent.agent_id);
    /// # Ok(()) }
    /// ```
    pub async fn create(&self, request: &CreateAgentRequest) -> Result<Agent, AgentIdPError> {
        let rb = self.client.request(Method::POST, "/agents").json(request);
        self.client.json(rb, Auth::Bearer).await
    }

    /// `GET /agents`: one page.
    ///
    /// # Errors
    ///
    /// As for every call: API, rate-limit and transport errors.
    ///
    /// ```no_run
    /// # use sentryagent_idp::*;
    /// # async fn f(client: AgentIdPClient) -> Result<(), AgentIdPError> {
    /// let page = client.agents().list(&ListAgentsParams::new().limit(100u32)).await?;
    /// println!("{} of {}", page.data.len(), page.total);
    /// # Ok(()) }
    /// ```
    pub async fn list(&self, params: &ListAgentsParams) -> Result<Page<Agent>, AgentIdPError> {
        let rb = self.client.request(Method::GET, "/agents").query(params);
        self.client.json(rb, Auth::Bearer).await
    }

    /// `GET /agents`, every page, as a stream of agents (starting at `params.page`).
    ///
    /// ```no_run
    /// use futures_util::StreamExt;
    /// # async fn f(client: sentryagent_idp::AgentIdPClient) {
    /// let mut agents = std::pin::pin!(client.agents().stream(Default::default()));
    /// while let Some(agent) = agents.next().await {
    ///     println!("{:?}", agent.map(|a| a.email));
    /// }
    /// # }
    /// ```
    pub fn stream(
        &self,
        params: ListAgentsParams,
    ) -> impl Stream<Item = Result<Agent, AgentIdPError>> + Send + 'static {
        let client = self.client.clone();
        let first = params.page.unwrap_or(1);
        paginate(first, move |page| {
            let client = client.clone();
            let params = params.clone().page(page);
            async move { client.agents().list(&params).await }
        })
    }

    /// `GET /agents/{agentId}`.
    ///
    /// # Errors
    ///
    /// `AGENT_NOT_FOUND` (404), also for another tenant's agent.
    ///
    /// ```no_run
    /// # async fn f(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// let agent = client.agents().get("3f1c…").await?;
    /// # let _ = agent; Ok(()) }
    /// ```
    pub async fn get(&self, agent_id: &str) -> Result<Agent, AgentIdPError> {
        let rb = self
            .client
            .request(Method::GET, &format!("/agents/{}", segment(agent_id)));
        self.client.json(rb, Auth::Bearer).await
    }

    /// `PATCH /agents/{agentId}`.
    ///
    /// # Errors
    ///
    /// `AGENT_NOT_FOUND`, `VALIDATION_ERROR`, `AGENT_ALREADY_EXISTS`.
    ///
    /// ```no_run
    /// # use sentryagent_idp::*;
    /// # async fn f(client: AgentIdPClient) -> Result<(), AgentIdPError> {
    /// let agent = client.agents().update("3f1c…", &UpdateAgentRequest::new().version("1.1.0")).await?;
    /// # let _ = agent; Ok(()) }
    /// ```
    pub async fn update(
        &self,
        agent_id: &str,
        request: &UpdateAgentRequest,
    ) -> Result<Agent, AgentIdPError> {
        let rb = self
            .client
            .request(Method::PATCH, &format!("/agents/{}", segment(agent_id)))
            .json(request);
        self.client.json(rb, Auth::Bearer).await
    }

    /// `DELETE /agents/{agentId}`: decommissions the agent (a soft delete).
    ///
    /// # Errors
    ///
    /// `AGENT_NOT_FOUND`.
    ///
    /// ```no_run
    /// # async fn f(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// client.agents().decommission("3f1c…").await?;
    /// # Ok(()) }
    /// ```
    pub async fn decommission(&self, agent_id: &str) -> Result<(), AgentIdPError> {
        let rb = self
            .client
            .request(Method::DELETE, &format!("/agents/{}", segment(agent_id)));
        self.client.empty(rb, Auth::Bearer).await
    }

    /// `GET /agents/{agentId}/did`: the agent's `did:web` document.
    ///
    /// # Errors
    ///
    /// `AGENT_NOT_FOUND`.
    ///
    /// ```no_run
    /// # async fn f(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// let did = client.agents().did("3f1c…").await?;
    /// println!("{}", did["id"]);
    /// # Ok(()) }
    /// ```
    pub async fn did(&self, agent_id: &str) -> Result<Value, AgentIdPError> {
        let rb = self
            .client
            .request(Method::GET, &format!("/agents/{}/did", segment(agent_id)));
        self.client.json(rb, Auth::Bearer).await
    }
}
