//! # sentryagent-idp
//!
//! Async Rust SDK for SentryAgent, the identity and authorization platform for AI agents:
//! the agent registry, client credentials, OAuth 2.0 tokens (with RFC 8693 token exchange),
//! the hash-chained audit log, A2A delegation chains, usage analytics, tiers, AGNTCY
//! agent cards and compliance reports, and starter-project downloads.
//!
//! - One [`AgentIdPClient`] (cheap to clone) with a handler per area, each borrowing it.
//! - One shared [`TokenManager`]: a token is reused until 60 s before expiry, refreshed by
//!   exactly one request however many tasks ask, and a `401` triggers one forced refresh and
//!   one retry.
//! - One error type, [`AgentIdPError`], carrying status, error code, details and the
//!   server's `x-request-id`.
//! - Retries with jittered exponential backoff ([`RetryPolicy`]) that honour `Retry-After`.
//! - No `unwrap`, `expect`, `panic!` or indexing in library code (denied by clippy).
//!
//! ```no_run
//! use futures_util::TryStreamExt;
//! use sentryagent_idp::{AgentIdPClient, AgentType, CreateAgentRequest, DeploymentEnv};
//!
//! # async fn run() -> Result<(), sentryagent_idp::AgentIdPError> {
//! // AGENTIDP_API_URL=http://127.0.0.1:3000 AGENTIDP_CLIENT_ID=… AGENTIDP_CLIENT_SECRET=…
//! let client = AgentIdPClient::from_env()?;
//! let agent = client
//!     .agents()
//!     .create(
//!         &CreateAgentRequest::new("bot@acme.example", AgentType::Classifier, "1.0.0", "ml-team", DeploymentEnv::Development)
//!             .capability("agents:read"),
//!     )
//!     .await?;
//! let secret = client.credentials().create(&agent.agent_id, &Default::default()).await?;
//! println!("{} / {}", agent.agent_id, secret.client_secret.expose());
//! let agents: Vec<_> = client.agents().stream(Default::default()).try_collect().await?;
//! println!("{} agents", agents.len());
//! # Ok(()) }
//! ```
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![deny(missing_docs, rustdoc::broken_intra_doc_links)]
#![forbid(unsafe_code)]

pub mod api;
mod client;
mod error;
mod macros;
mod pagination;
mod retry;
#[cfg(feature = "unpack")]
pub mod scaffold;
mod token;

pub use api::agents::{
    Agent, AgentCardFields, AgentStatus, AgentType, CreateAgentRequest, DeploymentEnv,
    ListAgentsParams, UpdateAgentRequest,
};
pub use api::agntcy::{
    AgentCard, AgentSkill, ComplianceReport, ComplianceRequirement, ComplianceSection,
};
pub use api::analytics::{
    AgentActivity, AgentActivityRow, DateRange, Period, TokenTrendDay, TokenTrends, UsageSummary,
    UsageTotals,
};
pub use api::audit::{AuditEvent, AuditQuery, AuditVerification};
pub use api::credentials::{
    CreateCredentialRequest, Credential, CredentialStatus, CredentialWithSecret, PageParams,
};
pub use api::delegation::{
    ChainHop, DelegateRequest, Delegation, DelegationDescendants, DelegationLink,
    DelegationRevocation, DelegationStatus, DelegationVerification, InvalidReason,
};
pub use api::scaffold::ScaffoldLanguage;
pub use api::tiers::{
    CheckoutSession, Tier, TierFeatures, TierLimits, TierList, TierPrice, TierStatus, TierUsage,
};
pub use api::tokens::{
    Introspection, IssueTokenRequest, TOKEN_EXCHANGE_GRANT, TOKEN_TYPE_ACCESS_TOKEN,
    TOKEN_TYPE_DELEGATION, TokenExchangeRequest,
};
pub use client::{
    AgentIdPClient, AgentIdPClientBuilder, DEFAULT_API_PREFIX, DEFAULT_TIMEOUT, ENV_API_URL,
    ENV_CLIENT_ID, ENV_CLIENT_SECRET,
};
pub use error::AgentIdPError;
pub use pagination::Page;
pub use retry::RetryPolicy;
pub use token::{REFRESH_MARGIN, Secret, TokenCache, TokenManager, TokenResponse};

/// `Result` with [`AgentIdPError`].
pub type Result<T, E = AgentIdPError> = std::result::Result<T, E>;
