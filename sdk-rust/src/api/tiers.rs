//! WS4: `/tiers`, `/tiers/status`, `/billing/upgrade`.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::client::{AgentIdPClient, Auth};
use crate::error::AgentIdPError;

/// Price of a tier; `monthly: None` means "contact sales".
///
/// ```
/// let p: sentryagent_idp::TierPrice = serde_json::from_str(r#"{"monthly":null,"currency":"USD"}"#).unwrap();
/// assert_eq!(p.monthly, None);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TierPrice {
    /// Monthly price.
    pub monthly: Option<f64>,
    /// ISO currency.
    pub currency: String,
}

/// Limits of a tier; `None` means unlimited.
///
/// ```
/// # let t: sentryagent_idp::TierList = serde_json::from_str(include_str!("../../tests/fixtures/tiers.json")).unwrap();
/// # let limits: &sentryagent_idp::TierLimits = &t.tiers[0].limits;
/// assert_eq!(limits.max_delegation_depth, 2);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TierLimits {
    /// Registered agents.
    pub registered_agents: Option<u64>,
    /// API calls per day.
    pub api_calls_per_day: Option<u64>,
    /// Tokens issued per day.
    pub token_issuances_per_day: Option<u64>,
    /// Requests per minute.
    pub rate_limit_per_minute: u64,
    /// Burst.
    pub rate_limit_burst: u64,
    /// Audit retention.
    pub audit_log_retention_days: u64,
    /// Longest delegation chain.
    pub max_delegation_depth: u32,
    /// Analytics history.
    pub analytics_history_days: u64,
}

/// One tier of `GET /tiers`.
///
/// ```
/// let t: sentryagent_idp::TierList = serde_json::from_str(include_str!("../../tests/fixtures/tiers.json")).unwrap();
/// assert_eq!(t.tiers[0].id, "free");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Tier {
    /// `free`, `pro`, `enterprise`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Price.
    pub price: TierPrice,
    /// Limits.
    pub limits: TierLimits,
    /// Features.
    pub features: TierFeatures,
}

/// Features of a tier.
///
/// ```
/// let t: sentryagent_idp::TierList = serde_json::from_str(include_str!("../../tests/fixtures/tiers.json")).unwrap();
/// assert!(t.tiers[0].features.a2a_delegation);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TierFeatures {
    /// A2A delegation.
    pub a2a_delegation: bool,
    /// Usage analytics.
    pub usage_analytics: bool,
    /// AGNTCY compliance report.
    pub agntcy_compliance_report: bool,
    /// Priority support.
    pub priority_support: bool,
    /// Uptime SLA, e.g. `99.9%`.
    pub uptime_sla: Option<String>,
}

/// Answer of `GET /tiers`.
///
/// ```
/// let t: sentryagent_idp::TierList = serde_json::from_str(include_str!("../../tests/fixtures/tiers.json")).unwrap();
/// assert_eq!(t.tiers.len(), 3);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TierList {
    /// Every tier.
    pub tiers: Vec<Tier>,
}

/// Today's usage in [`TierStatus`].
///
/// ```
/// let u: sentryagent_idp::TierUsage = serde_json::from_str(r#"{"agentCount":1,"callsToday":2,"tokensToday":3}"#).unwrap();
/// assert_eq!(u.tokens_today, 3);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TierUsage {
    /// Registered agents.
    pub agent_count: u64,
    /// Calls today (UTC).
    pub calls_today: u64,
    /// Tokens issued today (UTC).
    pub tokens_today: u64,
}

/// Answer of `GET /tiers/status`.
///
/// ```
/// let s: sentryagent_idp::TierStatus = serde_json::from_str(include_str!("../../tests/fixtures/tier-status.json")).unwrap();
/// assert_eq!(s.tier, "free");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TierStatus {
    /// The tenant's tier.
    pub tier: String,
    /// Its limits.
    pub limits: TierLimits,
    /// Usage so far.
    pub usage: TierUsage,
}

/// Answer of `POST /billing/upgrade`: where to pay. The tier changes when the payment
/// provider confirms.
///
/// ```
/// let c: sentryagent_idp::CheckoutSession = serde_json::from_str(
///     r#"{"tier":"pro","sessionId":"cs_1","checkoutUrl":"https://pay.example/x"}"#,
/// ).unwrap();
/// assert_eq!(c.checkout_url, "https://pay.example/x");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CheckoutSession {
    /// The tier bought.
    pub tier: String,
    /// The payment provider's session id.
    pub session_id: String,
    /// Send the buyer here to pay.
    pub checkout_url: String,
}

#[derive(Serialize)]
struct UpgradeBody<'a> {
    tier: &'a str,
}

/// Handler for tiers; get it from [`AgentIdPClient::tiers`].
///
/// ```no_run
/// # async fn f(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
/// for tier in client.tiers().list().await?.tiers {
///     println!("{}: {}/min", tier.id, tier.limits.rate_limit_per_minute);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct TiersClient<'a> {
    client: &'a AgentIdPClient,
}

impl<'a> TiersClient<'a> {
    pub(crate) fn new(client: &'a AgentIdPClient) -> Self {
        Self { client }
    }

    /// `GET /tiers` (public, no token sent).
    ///
    /// # Errors
    ///
    /// Transport errors; 404 when the tiers workstream is disabled.
    ///
    /// ```no_run
    /// # async fn f(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// let tiers = client.tiers().list().await?;
    /// # let _ = tiers; Ok(()) }
    /// ```
    pub async fn list(&self) -> Result<TierList, AgentIdPError> {
        let rb = self.client.request(Method::GET, "/tiers");
        self.client.json(rb, Auth::None).await
    }

    /// `GET /tiers/status`: the tenant's tier, limits and usage today.
    ///
    /// # Errors
    ///
    /// Permission and transport errors.
    ///
    /// ```no_run
    /// # async fn f(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// let s = client.tiers().status().await?;
    /// println!("{} calls today", s.usage.calls_today);
    /// # Ok(()) }
    /// ```
    pub async fn status(&self) -> Result<TierStatus, AgentIdPError> {
        let rb = self.client.request(Method::GET, "/tiers/status");
        self.client.json(rb, Auth::Bearer).await
    }

    /// `POST /billing/upgrade { tier }` (scope `billing:write`): a checkout session.
    ///
    /// # Errors
    ///
    /// `VALIDATION_ERROR` for an unknown tier, `FORBIDDEN` without `billing:write`.
    ///
    /// ```no_run
    /// # async fn f(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// let session = client.tiers().upgrade("pro").await?;
    /// println!("pay at {}", session.checkout_url);
    /// # Ok(()) }
    /// ```
    pub async fn upgrade(&self, tier: &str) -> Result<CheckoutSession, AgentIdPError> {
        let rb = self
            .client
            .request(Method::POST, "/billing/upgrade")
            .json(&UpgradeBody { tier });
        self.client.json(rb, Auth::Bearer).await
    }
}
