//! Single-flight refresh and refresh-before-expiry.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{CLIENT_ID, CLIENT_SECRET, fixture, json};
use sentryagent_idp::AgentIdPClient;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hundred_concurrent_calls_make_exactly_one_token_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(common::token_body("tok-1", 3600))
                // Slow enough that every task asks while the first refresh is in flight.
                .set_delay(Duration::from_millis(300)),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/audit/verify"))
        .respond_with(json(200, fixture("audit-verify.json")))
        .expect(100)
        .mount(&server)
        .await;
    let client = common::client(&server);
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(100));
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let client = client.clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                client.audit().verify().await
            })
        })
        .collect();
    for task in tasks {
        assert!(task.await.unwrap().unwrap().valid);
    }
    assert_eq!(client.token_manager().token_requests(), 1);
}

/// With tokio's clock paused, the cached token is reused until 60 s before `expires_in`,
/// then replaced before it expires.
#[tokio::test(start_paused = true)]
async fn token_is_refreshed_sixty_seconds_before_expiry() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(common::token_body("first", 3600)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(common::token_body("second", 3600)))
        .mount(&server)
        .await;
    // No request timeout and no idle pool: no timer of reqwest's own lets the paused clock
    // jump while a request waits on the mock server's socket.
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let client = AgentIdPClient::builder()
        .base_url(server.uri())
        .client_id(CLIENT_ID)
        .client_secret(CLIENT_SECRET)
        .http_client(http)
        .build()
        .unwrap();
    let tm = client.token_manager();
    assert_eq!(&*tm.access_token().await.unwrap(), "first");
    tokio::time::advance(Duration::from_secs(3600 - 60 - 1)).await;
    assert_eq!(
        &*tm.access_token().await.unwrap(),
        "first",
        "still cached 61 s before expiry"
    );
    assert_eq!(tm.token_requests(), 1);
    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(
        &*tm.access_token().await.unwrap(),
        "second",
        "refreshed 60 s before expiry"
    );
    assert_eq!(tm.token_requests(), 2);
    tokio::time::advance(Duration::from_secs(3000)).await;
    assert_eq!(&*tm.access_token().await.unwrap(), "second");
    assert_eq!(tm.token_requests(), 2);
}

#[tokio::test(start_paused = true)]
async fn short_lived_tokens_refresh_at_half_life() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(common::token_body("short", 60)))
        .expect(2)
        .mount(&server)
        .await;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let client = AgentIdPClient::builder()
        .base_url(server.uri())
        .client_id(CLIENT_ID)
        .client_secret(CLIENT_SECRET)
        .http_client(http)
        .build()
        .unwrap();
    let tm = client.token_manager();
    tm.access_token().await.unwrap();
    tokio::time::advance(Duration::from_secs(29)).await;
    tm.access_token().await.unwrap();
    assert_eq!(tm.token_requests(), 1);
    tokio::time::advance(Duration::from_secs(1)).await;
    tm.access_token().await.unwrap();
    assert_eq!(tm.token_requests(), 2);
}

#[tokio::test]
async fn a_failed_refresh_is_retried_by_the_next_caller() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/token"))
        .respond_with(json(401, fixture("oauth-error-invalid-client.json")))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    common::mount_token(&server, "ok", 1).await;
    let client = common::client(&server);
    assert!(client.token_manager().access_token().await.is_err());
    assert_eq!(&*client.token_manager().access_token().await.unwrap(), "ok");
}
