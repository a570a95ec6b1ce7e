//! Gets an access token with this agent's client credentials, then reads the agent's record,
//! through the `sentryagent-idp` SDK (which refreshes tokens and retries for you).

use std::collections::HashMap;
use std::process::ExitCode;

use sentryagent_idp::{AgentIdPClient, AgentIdPError};

const AGENT_ID: &str = "{{AGENT_ID}}";
const API_PREFIX: &str = "{{API_PREFIX}}";

/// The KEY=VALUE lines of `.env`, when it exists; variables already set win.
fn dotenv() -> HashMap<String, String> {
    let Ok(text) = std::fs::read_to_string(".env") else {
        return HashMap::new();
    };
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| line.split_once('='))
        .map(|(key, value)| (key.trim().to_string(), value.trim().trim_matches('"').to_string()))
        .collect()
}

async fn run() -> Result<String, AgentIdPError> {
    let file = dotenv();
    let lookup = |name: &str| {
        std::env::var(name)
            .ok()
            .filter(|value| !value.trim().is_empty())
            .or_else(|| file.get(name).cloned())
            .filter(|value| !value.starts_with('<'))
    };
    let client = AgentIdPClient::builder_from(lookup)?
        .api_prefix(API_PREFIX)
        .build()?;
    let agent = client.agents().get(AGENT_ID).await?;
    Ok(serde_json::to_string_pretty(&agent).unwrap_or_else(|_| format!("{agent:?}")))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(agent) => {
            println!("{agent}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            if let Some(code) = error.code() {
                eprintln!("code: {code}");
            }
            ExitCode::FAILURE
        }
    }
}
