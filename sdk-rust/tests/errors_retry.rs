//! Error mapping, retries and the 401 forced refresh.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::time::{Duration, Instant};

use common::{fixture, json, setup};
use sentryagent_idp::*;
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn mount_agents(server: &MockServer, template: ResponseTemplate, times: u64) {
    Mock::given(method("GET"))
        .and(path("/api/v1/agents"))
        .respond_with(template)
        .up_to_n_times(times)
        .expect(times)
        .mount(server)
        .await;
}

#[tokio::test]
async fn api_error_carries_status_code_message_details_and_request_id() {
    for (status, name) in [
        (404, "error-agent-not-found.json"),
        (400, "error-validation.json"),
        (409, "error-agent-already-exists.json"),
        (500, "error-internal.json"),
        (400, "error-invalid-date-range.json"),
    ] {
        let (server, client) = setup().await;
        Mock::given(method("GET"))
            .and(path("/api/v1/agents/x"))
            .respond_with(json(status, fixture(name)))
            .mount(&server)
            .await;
        let err = client.agents().get("x").await.unwrap_err();
        let wire = fixture(name);
        match &err {
            AgentIdPError::Api {
                status: s,
                code,
                message,
                details,
                request_id,
            } => {
                assert_eq!(*s, status);
                assert_eq!(code, wire["code"].as_str().unwrap());
                assert_eq!(message, wire["message"].as_str().unwrap());
                assert_eq!(details.as_ref(), wire.get("details"));
                assert_eq!(request_id.as_deref(), Some("req-123"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.request_id(), Some("req-123"));
        assert_eq!(err.code(), wire["code"].as_str());
        assert_eq!(err.details(), wire.get("details"));
    }
}

#[tokio::test]
async fn oauth_error_maps_to_auth() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/token"))
        .respond_with(json(401, fixture("oauth-error-invalid-client.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = common::client(&server);
    let err = client.agents().list(&Default::default()).await.unwrap_err();
    match err {
        AgentIdPError::Auth {
            status,
            error,
            description,
            request_id,
        } => {
            assert_eq!((status, error.as_str()), (401, "invalid_client"));
            assert_eq!(description, "Client authentication failed");
            assert_eq!(request_id.as_deref(), Some("req-123"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn non_json_error_body_still_maps() {
    let (server, client) = setup().await;
    mount_agents(
        &server,
        ResponseTemplate::new(418).set_body_string("<html>teapot</html>"),
        1,
    )
    .await;
    let err = client.agents().list(&Default::default()).await.unwrap_err();
    assert_eq!(err.status(), Some(418));
    assert_eq!(err.code(), Some("HTTP_ERROR"));
}

#[tokio::test]
async fn wrong_shape_is_a_decode_error() {
    let (server, client) = setup().await;
    mount_agents(&server, json(200, json!({"nope": true})), 1).await;
    let err = client.agents().list(&Default::default()).await.unwrap_err();
    assert!(
        matches!(err, AgentIdPError::Decode { status: 200, ref request_id, .. } if request_id.as_deref() == Some("req-123")),
        "{err:?}"
    );
}

#[tokio::test]
async fn connection_refused_is_a_network_error() {
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let client = AgentIdPClient::builder()
        .base_url(format!("http://{addr}"))
        .client_id("a")
        .client_secret("b")
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.agents().list(&Default::default()).await.unwrap_err();
    assert!(matches!(err, AgentIdPError::Network { .. }), "{err:?}");
    assert!(std::error::Error::source(&err).is_some());
}

#[tokio::test]
async fn slow_response_is_a_timeout() {
    let (server, _) = setup().await;
    server.reset().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(common::token_body("t", 3600))
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let client = AgentIdPClient::builder()
        .base_url(server.uri())
        .client_id("a")
        .client_secret("b")
        .timeout(Duration::from_millis(200))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.agents().list(&Default::default()).await.unwrap_err();
    assert!(matches!(err, AgentIdPError::Timeout), "{err:?}");
}

#[tokio::test]
async fn config_errors() {
    assert!(matches!(
        AgentIdPClient::builder().build(),
        Err(AgentIdPError::Config(_))
    ));
    let e = AgentIdPClient::builder()
        .base_url("ftp://x")
        .client_id("a")
        .client_secret("b")
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("http"));
    let e = AgentIdPClient::builder_from(|_| None).unwrap_err();
    for name in [ENV_API_URL, ENV_CLIENT_ID, ENV_CLIENT_SECRET] {
        assert!(e.to_string().contains(name), "{e}");
    }
    let c = AgentIdPClient::builder_from(|k| match k {
        "AGENTIDP_API_URL" => Some("http://127.0.0.1:3000/".into()),
        "AGENTIDP_CLIENT_ID" => Some("id".into()),
        "AGENTIDP_CLIENT_SECRET" => Some("sk".into()),
        _ => None,
    })
    .unwrap()
    .api_prefix("/v2/")
    .build()
    .unwrap();
    assert_eq!(c.api_base_url(), "http://127.0.0.1:3000/v2");
    assert!(
        !format!("{c:?}").contains("sk"),
        "Debug never shows the secret"
    );
}

#[tokio::test]
async fn idempotent_get_is_retried_after_5xx() {
    let (server, client) = setup().await;
    mount_agents(
        &server,
        json(
            503,
            json!({"code": "SERVICE_UNAVAILABLE", "message": "db down"}),
        ),
        1,
    )
    .await;
    mount_agents(
        &server,
        json(502, json!({"code": "BAD_GATEWAY", "message": "x"})),
        1,
    )
    .await;
    mount_agents(&server, json(200, fixture("agent-list.json")), 1).await;
    client.agents().list(&Default::default()).await.unwrap();
}

#[tokio::test]
async fn retries_stop_at_max_retries() {
    let (server, client) = setup().await;
    mount_agents(
        &server,
        json(
            503,
            json!({"code": "SERVICE_UNAVAILABLE", "message": "down"}),
        ),
        4,
    )
    .await;
    let err = client.agents().list(&Default::default()).await.unwrap_err();
    assert_eq!(err.code(), Some("SERVICE_UNAVAILABLE"));
}

#[tokio::test]
async fn post_is_not_retried_after_500_but_is_after_429() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/agents/a/credentials"))
        .respond_with(json(500, fixture("error-internal.json")))
        .expect(1)
        .mount(&server)
        .await;
    let err = client
        .credentials()
        .create("a", &Default::default())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(500));

    Mock::given(method("POST"))
        .and(path("/api/v1/agents/b/credentials"))
        .respond_with(
            json(429, json!({"code": "RATE_LIMITED", "message": "slow down"}))
                .insert_header("retry-after", "0"),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/agents/b/credentials"))
        .respond_with(json(201, fixture("credential-created.json")))
        .expect(1)
        .mount(&server)
        .await;
    client
        .credentials()
        .create("b", &Default::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let (server, client) = setup().await;
    mount_agents(
        &server,
        json(429, json!({"code": "RATE_LIMITED", "message": "x"}))
            .insert_header("retry-after", "1"),
        1,
    )
    .await;
    mount_agents(&server, json(200, fixture("agent-list.json")), 1).await;
    let started = Instant::now();
    client.agents().list(&Default::default()).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn retry_after_beyond_the_cap_returns_rate_limited_at_once() {
    let (server, client) = setup().await;
    let details = json!({"tier": "free", "limit": 60, "retryAfter": 120, "upgradeUrl": "/tiers"});
    mount_agents(
        &server,
        json(
            429,
            json!({"code": "RATE_LIMITED", "message": "Rate limit exceeded", "details": details}),
        )
        .insert_header("retry-after", "120"),
        1,
    )
    .await;
    let started = Instant::now();
    let err = client.agents().list(&Default::default()).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    match err {
        AgentIdPError::RateLimited {
            retry_after,
            code,
            details: d,
            request_id,
            ..
        } => {
            assert_eq!(retry_after, Some(Duration::from_secs(120)));
            assert_eq!(code, "RATE_LIMITED");
            assert_eq!(d, Some(details));
            assert_eq!(request_id.as_deref(), Some("req-123"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_401_forces_one_refresh_and_one_retry() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(common::token_body("stale", 3600)))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(common::token_body("fresh", 3600)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/agents"))
        .and(header("authorization", "Bearer stale"))
        .respond_with(json(401, fixture("error-unauthorized.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/agents"))
        .and(header("authorization", "Bearer fresh"))
        .respond_with(json(200, fixture("agent-list.json")))
        .expect(2)
        .mount(&server)
        .await;
    let client = common::client(&server);
    client.agents().list(&Default::default()).await.unwrap();
    client.agents().list(&Default::default()).await.unwrap();
    assert_eq!(client.token_manager().token_requests(), 2);
}

#[tokio::test]
async fn a_second_401_is_returned() {
    let server = MockServer::start().await;
    common::mount_token(&server, "t", 2).await;
    mount_agents(&server, json(401, fixture("error-unauthorized.json")), 2).await;
    let client = common::client(&server);
    let err = client.agents().list(&Default::default()).await.unwrap_err();
    assert_eq!(
        (err.status(), err.code()),
        (Some(401), Some("UNAUTHORIZED"))
    );
}
