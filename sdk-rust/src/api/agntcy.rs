//! WS6: A2A agent cards and the AGNTCY compliance report.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::{AgentIdPClient, Auth, segment};
use crate::error::AgentIdPError;

/// One skill of an [`AgentCard`].
///
/// ```
/// let s: sentryagent_idp::AgentSkill = serde_json::from_str(r#"{"id":"s","name":"S","description":"d","tags":["x"]}"#).unwrap();
/// assert_eq!(s.tags, ["x"]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AgentSkill {
    /// Skill id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What it does.
    #[serde(default)]
    pub description: String,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Other A2A skill fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AgentSkill {
    /// A skill with an id and a display name; add a description and tags with the setters.
    ///
    /// ```
    /// let s = sentryagent_idp::AgentSkill::new("summarize", "Summarize").description("Short summaries").tag("nlp");
    /// assert_eq!(serde_json::to_value(&s).unwrap()["tags"][0], "nlp");
    /// ```
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            description: String::new(),
            tags: Vec::new(),
            extra: Map::new(),
        }
    }

    /// Sets the description.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// Adds a tag.
    #[must_use]
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tags.push(tag.into());
        self
    }
}

/// An A2A v1.0 AgentCard (`GET /agents/{agentId}/agent-card`).
///
/// ```
/// let c: sentryagent_idp::AgentCard = serde_json::from_str(r#"{"name":"n","version":"1.0.0","skills":[]}"#).unwrap();
/// assert_eq!(c.name, "n");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AgentCard {
    /// Agent name.
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Agent version.
    #[serde(default)]
    pub version: Option<String>,
    /// Interfaces (URL + protocol binding).
    #[serde(default)]
    pub supported_interfaces: Vec<Value>,
    /// Capabilities; the agent's DID is in `capabilities.extensions`.
    #[serde(default)]
    pub capabilities: Option<Value>,
    /// Input media types.
    #[serde(default)]
    pub default_input_modes: Vec<String>,
    /// Output media types.
    #[serde(default)]
    pub default_output_modes: Vec<String>,
    /// Skills.
    #[serde(default)]
    pub skills: Vec<AgentSkill>,
    /// Security schemes (OAuth2 client credentials with the live `tokenUrl`).
    #[serde(default)]
    pub security_schemes: Map<String, Value>,
    /// Security requirements.
    #[serde(default)]
    pub security_requirements: Vec<Value>,
    /// JWS signatures verifiable with the server's JWKS.
    #[serde(default)]
    pub signatures: Vec<Value>,
    /// Any other card field.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One requirement of a compliance section.
///
/// ```
/// let r: sentryagent_idp::ComplianceRequirement = serde_json::from_str(r#"{"id":"r","status":"pass"}"#).unwrap();
/// assert_eq!(r.status, "pass");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ComplianceRequirement {
    /// Requirement id.
    pub id: String,
    /// What is required.
    #[serde(default)]
    pub description: String,
    /// `pass|warn|fail|not_applicable`.
    pub status: String,
    /// What was observed.
    #[serde(default)]
    pub evidence: Option<Value>,
    /// How to fix a failure.
    #[serde(default)]
    pub remediation: Option<String>,
    /// RFC 3339 time of the check.
    #[serde(default)]
    pub verified_at: Option<String>,
}

/// One section of the report.
///
/// ```
/// let s: sentryagent_idp::ComplianceSection = serde_json::from_str(r#"{"id":"s","name":"S","status":"pass","requirements":[]}"#).unwrap();
/// assert!(s.requirements.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ComplianceSection {
    /// Section id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Worst status of its requirements.
    pub status: String,
    /// Requirements.
    #[serde(default)]
    pub requirements: Vec<ComplianceRequirement>,
}

/// `GET /agntcy/compliance-report`, computed live.
///
/// ```
/// let r: sentryagent_idp::ComplianceReport = serde_json::from_str(
///     r#"{"reportId":"r","generatedAt":"t","tenantId":"x","agntcy_spec_version":"sentryagent-agntcy-profile/1","overallStatus":"pass","sections":[]}"#,
/// ).unwrap();
/// assert_eq!(r.agntcy_spec_version, "sentryagent-agntcy-profile/1");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ComplianceReport {
    /// Report id.
    pub report_id: String,
    /// RFC 3339 time.
    pub generated_at: String,
    /// The tenant.
    pub tenant_id: String,
    /// The profile checked (`sentryagent-agntcy-profile/1`).
    #[serde(rename = "agntcy_spec_version")]
    pub agntcy_spec_version: String,
    /// Versions of the standards referenced.
    #[serde(default)]
    pub standards: Map<String, Value>,
    /// `pass|warn|fail`.
    pub overall_status: String,
    /// Counts per status.
    #[serde(default)]
    pub summary: Map<String, Value>,
    /// Sections.
    #[serde(default)]
    pub sections: Vec<ComplianceSection>,
    /// How to export as PDF.
    #[serde(default)]
    pub pdf_export_hint: Option<String>,
}

/// Handler for AGNTCY; get it from [`AgentIdPClient::agntcy`].
///
/// ```no_run
/// # async fn f(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
/// let card = client.agntcy().agent_card("3f1c…").await?;
/// println!("{} skills", card.skills.len());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct AgntcyClient<'a> {
    client: &'a AgentIdPClient,
}

impl<'a> AgntcyClient<'a> {
    pub(crate) fn new(client: &'a AgentIdPClient) -> Self {
        Self { client }
    }

    /// `GET /agents/{agentId}/agent-card`.
    ///
    /// # Errors
    ///
    /// `AGENT_NOT_FOUND`; an error explaining why when a valid card can't be built.
    ///
    /// ```no_run
    /// # async fn f(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// let card = client.agntcy().agent_card("3f1c…").await?;
    /// # let _ = card; Ok(()) }
    /// ```
    pub async fn agent_card(&self, agent_id: &str) -> Result<AgentCard, AgentIdPError> {
        let rb = self.client.request(
            Method::GET,
            &format!("/agents/{}/agent-card", segment(agent_id)),
        );
        self.client.json(rb, Auth::Bearer).await
    }

    /// `GET /agntcy/compliance-report` (scope `compliance:read`).
    ///
    /// # Errors
    ///
    /// `FORBIDDEN` without `compliance:read`.
    ///
    /// ```no_run
    /// # async fn f(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// let report = client.agntcy().compliance_report().await?;
    /// println!("{}", report.overall_status);
    /// # Ok(()) }
    /// ```
    pub async fn compliance_report(&self) -> Result<ComplianceReport, AgentIdPError> {
        let rb = self
            .client
            .request(Method::GET, "/agntcy/compliance-report");
        self.client.json(rb, Auth::Bearer).await
    }
}
