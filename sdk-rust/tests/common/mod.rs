//! Shared helpers of the wiremock tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use sentryagent_idp::{AgentIdPClient, RetryPolicy};
use serde_json::Value;
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const CLIENT_ID: &str = "d8a82089-2540-42d1-9f04-4b38adab7116";
pub const CLIENT_SECRET: &str = "sk_live_FIXTUREfixtureFIXTUREfixtureFIXTUREfixture0";

/// A fixture from `tests/fixtures/`, captured from the real server.
pub fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect(&path)).expect(&path)
}

pub fn token_body(token: &str, expires_in: u64) -> Value {
    serde_json::json!({
        "access_token": token, "token_type": "Bearer", "expires_in": expires_in,
        "scope": "agents:read agents:write"
    })
}

/// Mounts the token endpoint answering `token`, expecting `times` calls.
pub async fn mount_token(server: &MockServer, token: &str, times: u64) {
    Mock::given(method("POST"))
        .and(path("/api/v1/token"))
        .and(body_string_contains("grant_type=client_credentials"))
        .and(body_string_contains(format!("client_id={CLIENT_ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body(token, 3600)))
        .expect(times)
        .named("token")
        .mount(server)
        .await;
}

pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .max_retries(3)
        .base_delay(Duration::from_millis(1))
        .max_delay(Duration::from_secs(2))
}

pub fn client(server: &MockServer) -> AgentIdPClient {
    AgentIdPClient::builder()
        .base_url(server.uri())
        .client_id(CLIENT_ID)
        .client_secret(CLIENT_SECRET)
        .timeout(Duration::from_secs(5))
        .retry_policy(fast_retry())
        .build()
        .unwrap()
}

/// The server with a token endpoint expecting one call, and a client for it.
pub async fn setup() -> (MockServer, AgentIdPClient) {
    let server = MockServer::start().await;
    mount_token(&server, "tok-1", 1).await;
    let client = client(&server);
    (server, client)
}

pub fn json(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_json(body)
        .insert_header("x-request-id", "req-123")
}

/// JSON as the SDK reads it: `49` and `49.0` are the same number, and a `null` field is the same
/// as an absent one (optional fields are left out when the SDK serializes them).
pub fn wire_equivalent(v: Value) -> Value {
    match v {
        Value::Number(n) => serde_json::json!(n.as_f64()),
        Value::Array(a) => a.into_iter().map(wire_equivalent).collect(),
        Value::Object(o) => o
            .into_iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (k, wire_equivalent(v)))
            .collect(),
        other => other,
    }
}
