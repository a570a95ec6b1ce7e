//! One handler per area of the API, each borrowing the [`AgentIdPClient`](crate::AgentIdPClient).

pub mod agents;
pub mod agntcy;
pub mod analytics;
pub mod audit;
pub mod credentials;
pub mod delegation;
pub mod scaffold;
pub mod tiers;
pub mod tokens;

pub use agents::AgentsClient;
pub use agntcy::AgntcyClient;
pub use analytics::AnalyticsClient;
pub use audit::AuditClient;
pub use credentials::CredentialsClient;
pub use delegation::DelegationClient;
pub use scaffold::ScaffoldClient;
pub use tiers::TiersClient;
pub use tokens::TokensClient;
