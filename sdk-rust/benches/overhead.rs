//! Plain bench (no criterion): `cargo bench --bench overhead`.
//!
//! 1. Overhead of a cached-token SDK call over a raw `reqwest` call to the same endpoint
//!    (same connection pool settings, same JSON decoding), sequential, interleaved rounds.
//! 2. 10,000 concurrent SDK calls on a cold client: exactly one token request.
//!
//! The server is a minimal HTTP/1.1 keep-alive responder on a raw tokio socket (no hyper or
//! axum), so the figures measure the client, not a server.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sentryagent_idp::{AgentIdPClient, AuditVerification, RetryPolicy};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

const VERIFY: &str = r#"{"valid":true,"eventsChecked":12,"firstInvalidEventId":null,"headHash":"fb69933055274399b1a8e36c68722cf1aa67fe0bf239d90dac4973fc940893e4"}"#;
const TOKEN: &str = r#"{"access_token":"eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9.c2ln","token_type":"Bearer","expires_in":3600,"scope":"audit:read"}"#;

async fn serve(token_requests: Arc<AtomicU64>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                continue;
            };
            let token_requests = token_requests.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut reader = BufReader::new(read);
                let mut line = String::new();
                loop {
                    line.clear();
                    if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let is_token = line.starts_with("POST /api/v1/token");
                    let mut length = 0usize;
                    loop {
                        line.clear();
                        if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        if line == "\r\n" {
                            break;
                        }
                        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap_or(0);
                        }
                    }
                    let mut body = vec![0u8; length];
                    if reader.read_exact(&mut body).await.is_err() {
                        return;
                    }
                    let payload = if is_token {
                        token_requests.fetch_add(1, Ordering::SeqCst);
                        // A token request takes a while, as a real one does.
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        TOKEN
                    } else {
                        VERIFY
                    };
                    let response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-request-id: bench\r\ncontent-length: {}\r\n\r\n{payload}",
                        payload.len()
                    );
                    if write.write_all(response.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("http://{addr}")
}

fn sdk(base: &str, http: reqwest::Client) -> AgentIdPClient {
    AgentIdPClient::builder()
        .base_url(base)
        .client_id("bench")
        .client_secret("sk_live_bench")
        .http_client(http)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

async fn raw_call(http: &reqwest::Client, url: &str, bearer: &str) -> AuditVerification {
    let bytes = http
        .get(url)
        .header("authorization", format!("Bearer {bearer}"))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .bytes()
        .await
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let token_requests = Arc::new(AtomicU64::new(0));
        let base = serve(token_requests.clone()).await;
        let url = format!("{base}/api/v1/audit/verify");

        // --- 1. cached-token overhead ---------------------------------------------------
        let raw_http = reqwest::Client::new();
        let client = sdk(&base, reqwest::Client::new());
        let bearer = client
            .token_manager()
            .access_token()
            .await
            .unwrap()
            .to_string();
        const N: u32 = 1_000;
        const ROUNDS: usize = 41;
        for _ in 0..500 {
            raw_call(&raw_http, &url, &bearer).await;
            client.audit().verify().await.unwrap();
        }
        // Interleaved rounds, the order flipped each round, so that load from other
        // processes hits both sides alike; the figure is the median of per-round ratios.
        let (mut raw_all, mut sdk_all, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..ROUNDS {
            let mut raw = Duration::ZERO;
            let mut sdk = Duration::ZERO;
            for side in [round % 2, 1 - round % 2] {
                let t = Instant::now();
                for _ in 0..N {
                    if side == 0 {
                        raw_call(&raw_http, &url, &bearer).await;
                    } else {
                        client.audit().verify().await.unwrap();
                    }
                }
                if side == 0 {
                    raw = t.elapsed() / N
                } else {
                    sdk = t.elapsed() / N
                }
            }
            raw_all.push(raw);
            sdk_all.push(sdk);
            ratios.push(sdk.as_secs_f64() / raw.as_secs_f64());
        }
        raw_all.sort();
        sdk_all.sort();
        ratios.sort_by(f64::total_cmp);
        let mid = ROUNDS / 2;
        println!(
            "cached-token GET /audit/verify: {ROUNDS} interleaved rounds of {N} sequential calls"
        );
        println!(
            "  raw reqwest : median {:?}/call (best {:?})",
            raw_all[mid], raw_all[0]
        );
        println!(
            "  sdk         : median {:?}/call (best {:?})",
            sdk_all[mid], sdk_all[0]
        );
        println!(
            "  overhead    : median of per-round ratios {:+.2} %, of best rounds {:+.2} %",
            (ratios[mid] - 1.0) * 100.0,
            (sdk_all[0].as_secs_f64() / raw_all[0].as_secs_f64() - 1.0) * 100.0
        );
        assert_eq!(client.token_manager().token_requests(), 1);

        // --- 2. 10,000 concurrent calls on a cold client ----------------------------------
        let before = token_requests.load(Ordering::SeqCst);
        let cold = sdk(
            &base,
            reqwest::Client::builder()
                .pool_max_idle_per_host(256)
                .build()
                .unwrap(),
        );
        let started = Instant::now();
        let tasks: Vec<_> = (0..10_000)
            .map(|_| {
                let c = cold.clone();
                tokio::spawn(async move { c.audit().verify().await.map(|v| v.valid) })
            })
            .collect();
        let mut ok = 0;
        for t in tasks {
            if t.await.unwrap().unwrap() {
                ok += 1;
            }
        }
        let made = token_requests.load(Ordering::SeqCst) - before;
        println!(
            "10,000 concurrent calls: {ok} ok in {:?}, token requests made: {made}",
            started.elapsed()
        );
        assert_eq!(made, 1, "exactly one token request");
    });
}
