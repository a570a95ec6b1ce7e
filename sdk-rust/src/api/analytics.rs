//! WS3: `/analytics/*`, served from daily aggregates (scope `analytics:read`).

use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::client::{AgentIdPClient, Auth};
use crate::error::AgentIdPError;
use crate::macros::setters;

/// A UTC date range `from..=to` (`YYYY-MM-DD`), optionally for one agent.
///
/// ```
/// let r = sentryagent_idp::DateRange::new("2026-11-01", "2026-11-28").agent_id("3f1c");
/// assert_eq!(serde_json::to_string(&r).unwrap(), r#"{"from":"2026-11-01","to":"2026-11-28","agentId":"3f1c"}"#);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DateRange {
    /// First day; the server's default is 29 days before `to`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Last day; the server's default is yesterday.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Only this agent (agent activity only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
}

impl DateRange {
    /// `from..=to`.
    ///
    /// ```
    /// let r = sentryagent_idp::DateRange::new("2026-11-01", "2026-11-02");
    /// assert_eq!(r.agent_id, None);
    /// ```
    pub fn new(from: impl Into<String>, to: impl Into<String>) -> Self {
        Self {
            from: Some(from.into()),
            to: Some(to.into()),
            agent_id: None,
        }
    }

    /// The server's default range (the 30 days up to yesterday).
    ///
    /// ```
    /// let r = sentryagent_idp::DateRange::server_default();
    /// assert_eq!(serde_json::to_string(&r).unwrap(), "{}");
    /// ```
    pub fn server_default() -> Self {
        Self::default()
    }
}

setters!(DateRange {
    /// Sets the first day.
    from: String,
    /// Sets the last day.
    to: String,
    /// Restricts to one agent.
    agent_id: String,
});

/// The period of an analytics answer.
///
/// ```
/// let p: sentryagent_idp::Period = serde_json::from_str(r#"{"from":"2026-11-01","to":"2026-11-02"}"#).unwrap();
/// assert_eq!(p.to, "2026-11-02");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Period {
    /// First day.
    pub from: String,
    /// Last day.
    pub to: String,
}

/// Totals of `GET /analytics/usage-summary`.
///
/// ```
/// let s: sentryagent_idp::UsageSummary =
///     serde_json::from_str(include_str!("../../tests/fixtures/usage-summary.json")).unwrap();
/// assert_eq!(s.period.from, "2026-11-27");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UsageSummary {
    /// The tenant.
    pub tenant_id: String,
    /// The range answered.
    pub period: Period,
    /// The last complete UTC day rolled up; later days read as zero until aggregated.
    #[serde(default)]
    pub aggregated_through: Option<String>,
    /// The totals.
    pub summary: UsageTotals,
}

/// The numbers of a [`UsageSummary`].
///
/// ```
/// # let s: sentryagent_idp::UsageSummary = serde_json::from_str(include_str!("../../tests/fixtures/usage-summary.json")).unwrap();
/// let totals: &sentryagent_idp::UsageTotals = &s.summary;
/// # let _ = totals;
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UsageTotals {
    /// Authenticated API calls.
    pub total_api_calls: u64,
    /// Tokens issued.
    pub total_token_issuances: u64,
    /// Credentials rotated.
    pub total_credential_rotations: u64,
    /// Delegations created.
    pub total_delegations: u64,
    /// Agents with any activity.
    pub active_agent_count: u64,
    /// Mean calls per day.
    pub average_daily_api_calls: f64,
    /// Most calls in one day.
    pub peak_daily_api_calls: u64,
    /// The day of the peak.
    #[serde(default)]
    pub peak_date: Option<String>,
}

/// Answer of `GET /analytics/agent-activity`: an agent × day matrix for a heatmap.
///
/// ```
/// let a: sentryagent_idp::AgentActivity = serde_json::from_str(r#"{"tenantId":"t","period":{"from":"2026-11-01","to":"2026-11-02"},
///     "aggregatedThrough":null,"metric":"api_call","days":["2026-11-01","2026-11-02"],
///     "agents":[{"agentId":"a","counts":[3,4],"total":7}]}"#).unwrap();
/// assert_eq!(a.agents[0].counts, [3, 4]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AgentActivity {
    /// The tenant.
    pub tenant_id: String,
    /// The range answered.
    pub period: Period,
    /// The last complete UTC day rolled up.
    #[serde(default)]
    pub aggregated_through: Option<String>,
    /// The metric counted (`api_call`).
    pub metric: String,
    /// The columns: one UTC day each.
    pub days: Vec<String>,
    /// The rows: agents with activity, busiest first.
    pub agents: Vec<AgentActivityRow>,
}

/// One row of [`AgentActivity`].
///
/// ```
/// let r: sentryagent_idp::AgentActivityRow = serde_json::from_str(r#"{"agentId":"a","counts":[1],"total":1}"#).unwrap();
/// assert_eq!(r.total, 1);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AgentActivityRow {
    /// The agent.
    pub agent_id: String,
    /// One count per entry of [`AgentActivity::days`].
    pub counts: Vec<u64>,
    /// Sum of `counts`.
    pub total: u64,
}

/// Answer of `GET /analytics/token-trends`: one entry per day, zero days included.
///
/// ```
/// let t: sentryagent_idp::TokenTrends = serde_json::from_str(r#"{"tenantId":"t","period":{"from":"a","to":"b"},
///     "aggregatedThrough":"a","data":[{"date":"a","tokensIssued":2,"credentialRotations":0}]}"#).unwrap();
/// assert_eq!(t.data[0].tokens_issued, 2);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TokenTrends {
    /// The tenant.
    pub tenant_id: String,
    /// The range answered.
    pub period: Period,
    /// The last complete UTC day rolled up.
    #[serde(default)]
    pub aggregated_through: Option<String>,
    /// One entry per day.
    pub data: Vec<TokenTrendDay>,
}

/// One day of [`TokenTrends`].
///
/// ```
/// let d: sentryagent_idp::TokenTrendDay = serde_json::from_str(r#"{"date":"2026-11-01","tokensIssued":1,"credentialRotations":2}"#).unwrap();
/// assert_eq!(d.credential_rotations, 2);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TokenTrendDay {
    /// UTC day.
    pub date: String,
    /// Tokens issued.
    pub tokens_issued: u64,
    /// Credentials rotated.
    pub credential_rotations: u64,
}

/// Handler for analytics; get it from [`AgentIdPClient::analytics`].
///
/// ```no_run
/// # use sentryagent_idp::*;
/// # async fn f(client: AgentIdPClient) -> Result<(), AgentIdPError> {
/// let range = DateRange::new("2026-11-01", "2026-11-28");
/// let trends = client.analytics().token_trends(&range).await?;
/// # let _ = trends; Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct AnalyticsClient<'a> {
    client: &'a AgentIdPClient,
}

impl<'a> AnalyticsClient<'a> {
    pub(crate) fn new(client: &'a AgentIdPClient) -> Self {
        Self { client }
    }

    /// `GET /analytics/usage-summary?from&to`.
    ///
    /// # Errors
    ///
    /// `INVALID_DATE_RANGE` (400), `FORBIDDEN` without `analytics:read`.
    ///
    /// ```no_run
    /// # use sentryagent_idp::*;
    /// # async fn f(client: AgentIdPClient) -> Result<(), AgentIdPError> {
    /// let s = client.analytics().usage_summary(&DateRange::new("2026-11-01", "2026-11-28")).await?;
    /// println!("{}", s.summary.total_api_calls);
    /// # Ok(()) }
    /// ```
    pub async fn usage_summary(&self, range: &DateRange) -> Result<UsageSummary, AgentIdPError> {
        let rb = self
            .client
            .request(Method::GET, "/analytics/usage-summary")
            .query(&DateRange {
                agent_id: None,
                ..range.clone()
            });
        self.client.json(rb, Auth::Bearer).await
    }

    /// `GET /analytics/agent-activity?from&to[&agentId]`: the agent × day matrix.
    ///
    /// # Errors
    ///
    /// `INVALID_DATE_RANGE` (400), `FORBIDDEN` without `analytics:read`.
    ///
    /// ```no_run
    /// # use sentryagent_idp::*;
    /// # async fn f(client: AgentIdPClient) -> Result<(), AgentIdPError> {
    /// let a = client.analytics().agent_activity(&DateRange::new("2026-11-01", "2026-11-28")).await?;
    /// # let _ = a; Ok(()) }
    /// ```
    pub async fn agent_activity(&self, range: &DateRange) -> Result<AgentActivity, AgentIdPError> {
        let rb = self
            .client
            .request(Method::GET, "/analytics/agent-activity")
            .query(range);
        self.client.json(rb, Auth::Bearer).await
    }

    /// `GET /analytics/token-trends?from&to`: tokens issued and credential rotations per day.
    ///
    /// # Errors
    ///
    /// `INVALID_DATE_RANGE` (400), `FORBIDDEN` without `analytics:read`.
    ///
    /// ```no_run
    /// # use sentryagent_idp::*;
    /// # async fn f(client: AgentIdPClient) -> Result<(), AgentIdPError> {
    /// let t = client.analytics().token_trends(&DateRange::new("2026-11-01", "2026-11-28")).await?;
    /// # let _ = t; Ok(()) }
    /// ```
    pub async fn token_trends(&self, range: &DateRange) -> Result<TokenTrends, AgentIdPError> {
        let rb = self
            .client
            .request(Method::GET, "/analytics/token-trends")
            .query(&DateRange {
                agent_id: None,
                ..range.clone()
            });
        self.client.json(rb, Auth::Bearer).await
    }
}
