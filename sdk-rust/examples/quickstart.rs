//! From credentials to a first authenticated call.
//!
//! ```sh
//! export AGENTIDP_API_URL=http://127.0.0.1:3000
//! export AGENTIDP_CLIENT_ID=<agent id>        # from `pnpm sentryagent org create --json`
//! export AGENTIDP_CLIENT_SECRET=<client secret>
//! cargo run --example quickstart
//! ```

use futures_util::TryStreamExt;
use sentryagent_idp::{
    AgentIdPClient, AgentIdPError, AgentType, CreateAgentRequest, DeploymentEnv, ListAgentsParams,
};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), AgentIdPError> {
    let client = AgentIdPClient::from_env()?;

    // Register an agent and give it a credential (the secret is shown once).
    let email = format!("quickstart-{}@example.com", std::process::id());
    let agent = client
        .agents()
        .create(
            &CreateAgentRequest::new(
                email,
                AgentType::Classifier,
                "1.0.0",
                "quickstart",
                DeploymentEnv::Development,
            )
            .capability("agents:read"),
        )
        .await?;
    let credential = client
        .credentials()
        .create(&agent.agent_id, &Default::default())
        .await?;
    println!(
        "agent {} / secret {}",
        agent.agent_id,
        credential.client_secret.expose()
    );

    // The new agent authenticates as itself and reads its own record.
    let as_agent = AgentIdPClient::builder()
        .base_url(std::env::var("AGENTIDP_API_URL").unwrap_or_default())
        .client_id(&agent.agent_id)
        .client_secret(credential.client_secret.expose())
        .scope("agents:read")
        .build()?;
    let me = as_agent.agents().get(&agent.agent_id).await?;
    println!("{} is {:?}", me.email, me.status);

    // Every agent of the organization, page after page.
    let agents: Vec<_> = client
        .agents()
        .stream(ListAgentsParams::new().limit(50u32))
        .try_collect()
        .await?;
    println!("{} agents in the organization", agents.len());

    // The audit chain is intact.
    let audit = client.audit().verify().await?;
    println!(
        "audit chain valid: {} ({} events)",
        audit.valid, audit.events_checked
    );

    // Errors carry the server's code and request id.
    if let Err(e) = client
        .agents()
        .get("00000000-0000-4000-8000-000000000000")
        .await
    {
        println!(
            "expected error: {e} (code {:?}, request {:?})",
            e.code(),
            e.request_id()
        );
    }
    Ok(())
}
