//! WS5: a ready-to-run starter project per agent and language.

use std::fmt;
use std::str::FromStr;

use bytes::Bytes;
use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::client::{AgentIdPClient, Auth, segment};
use crate::error::AgentIdPError;

/// The language of a starter project.
///
/// ```
/// use sentryagent_idp::ScaffoldLanguage;
/// let lang: ScaffoldLanguage = "rust".parse().unwrap();
/// assert_eq!(lang, ScaffoldLanguage::Rust);
/// assert_eq!(ScaffoldLanguage::TypeScript.to_string(), "typescript");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ScaffoldLanguage {
    /// `typescript` (Node.js, built-in `fetch`)
    TypeScript,
    /// `python` (standard library only)
    Python,
    /// `go` (standard library only)
    Go,
    /// `java` (`java.net.http`)
    Java,
    /// `rust` (this SDK)
    Rust,
}

impl ScaffoldLanguage {
    /// Every language the server generates, in its order.
    pub const ALL: [Self; 5] = [
        Self::TypeScript,
        Self::Python,
        Self::Go,
        Self::Java,
        Self::Rust,
    ];

    /// The wire name (`typescript`, `python`, …).
    ///
    /// ```
    /// assert_eq!(sentryagent_idp::ScaffoldLanguage::Go.as_str(), "go");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TypeScript => "typescript",
            Self::Python => "python",
            Self::Go => "go",
            Self::Java => "java",
            Self::Rust => "rust",
        }
    }
}

impl fmt::Display for ScaffoldLanguage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ScaffoldLanguage {
    type Err = AgentIdPError;

    /// Parses a wire name; anything else is a [`AgentIdPError::Config`] listing the choices.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|lang| lang.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Self::ALL.iter().map(|l| l.as_str()).collect();
                AgentIdPError::Config(format!(
                    "unknown scaffold language {s:?}; expected one of {}",
                    names.join(", ")
                ))
            })
    }
}

/// Handler for `/sdk/scaffold`; get it from [`AgentIdPClient::scaffold`].
///
/// ```no_run
/// # async fn f(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
/// use sentryagent_idp::ScaffoldLanguage;
/// let zip = client.scaffold().download("3f1c…", ScaffoldLanguage::Rust).await?;
/// std::fs::write("starter.zip", &zip).map_err(|e| sentryagent_idp::AgentIdPError::Config(e.to_string()))?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ScaffoldClient<'a> {
    client: &'a AgentIdPClient,
}

impl<'a> ScaffoldClient<'a> {
    pub(crate) fn new(client: &'a AgentIdPClient) -> Self {
        Self { client }
    }

    /// `GET /sdk/scaffold/{agentId}?language=…`: the starter project as ZIP bytes (one root
    /// folder, `.env.example` holding the client id; the secret is never in it). Unpack it
    /// with `sentryagent_idp::scaffold::unpack` (feature `unpack`).
    ///
    /// # Errors
    ///
    /// `AGENT_NOT_FOUND` (also for another tenant's agent), a validation error for a language
    /// the server doesn't know, [`AgentIdPError::RateLimited`] past 10 downloads a minute.
    ///
    /// ```no_run
    /// # async fn f(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
    /// let zip = client.scaffold().download("3f1c…", sentryagent_idp::ScaffoldLanguage::Python).await?;
    /// println!("{} bytes", zip.len());
    /// # Ok(()) }
    /// ```
    pub async fn download(
        &self,
        agent_id: &str,
        language: ScaffoldLanguage,
    ) -> Result<Bytes, AgentIdPError> {
        let rb = self
            .client
            .request(Method::GET, &format!("/sdk/scaffold/{}", segment(agent_id)))
            .query(&[("language", language.as_str())]);
        Ok(self.client.execute(rb, Auth::Bearer).await?.body)
    }
}
