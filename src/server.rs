//! The HTTP side: live status and the session summary as JSON, on loopback unless told otherwise.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, RwLock};

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::coach::SAFETY_NOTE;
use crate::session::{FrameReport, Summary};

/// What the running loop publishes for the server to read.
#[derive(Debug, Default, Clone, Serialize)]
pub struct LiveState {
    /// What is being watched ("camera 0", "replay of recordings/walk", ...).
    pub source: String,
    /// The loop is still reading frames.
    pub running: bool,
    /// The latest frame's judgement.
    pub status: Option<FrameReport>,
    /// The session so far.
    pub summary: Option<Summary>,
}

pub type Shared = Arc<RwLock<LiveState>>;

#[derive(Clone)]
struct AppState {
    live: Shared,
    token: Option<Arc<str>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("refusing to serve on {0} without --token: only loopback (127.0.0.1, ::1) is open without one, because the page shows your camera")]
    NeedsToken(IpAddr),
    #[error("could not listen on {addr}: {source} (is another program using the port? try --port)")]
    Bind { addr: SocketAddr, source: std::io::Error },
}

pub fn router(live: Shared, token: Option<String>) -> Router {
    let state = AppState { live, token: token.map(Arc::from) };
    Router::new()
        .route("/", get(page))
        .route("/api/status", get(status))
        .route("/api/session", get(session))
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token))
        .route("/healthz", get(|| async { "ok" }))
        .with_state(state)
}

async fn require_token(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(token) = &state.token {
        let given = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        if given != Some(format!("Bearer {token}").as_str()) {
            return (StatusCode::UNAUTHORIZED, Json(serde_json::json!({"error": "missing or wrong bearer token"})))
                .into_response();
        }
    }
    next.run(req).await
}

async fn status(State(state): State<AppState>) -> Json<serde_json::Value> {
    let live = state.live.read().expect("live state lock").clone();
    Json(serde_json::json!({ "source": live.source, "running": live.running, "status": live.status }))
}

async fn session(State(state): State<AppState>) -> Response {
    match state.live.read().expect("live state lock").summary.clone() {
        Some(s) => Json(s).into_response(),
        None => {
            (StatusCode::NOT_FOUND, Json(serde_json::json!({"error": "no session has started yet"}))).into_response()
        }
    }
}

async fn page() -> Html<String> {
    Html(PAGE.replace("{SAFETY}", SAFETY_NOTE))
}

const PAGE: &str = r#"<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>stretchcoach</title>
<style>body{font-family:sans-serif;margin:2rem;max-width:50rem}#prompt{font-size:2.5rem;margin:1rem 0}
.safety{background:#fff3cd;padding:.5rem 1rem;border-radius:.5rem}</style></head><body>
<h1>stretchcoach</h1><p class="safety">{SAFETY}</p>
<div id="prompt">Waiting for frames...</div><pre id="detail"></pre>
<script>
async function tick(){try{const r=await fetch('/api/status');const s=await r.json();
const st=s.status;document.getElementById('prompt').textContent=st&&st.prompt?st.prompt:'...';
document.getElementById('detail').textContent=st?`${st.exercise}: reps ${st.reps}, held ${st.held.toFixed(1)} s`:'';}catch(e){}}
setInterval(tick,300);tick();
</script></body></html>"#;

/// Binds `addr`: loopback always, anything else only with a token.
pub async fn bind(addr: SocketAddr, token: Option<&str>) -> Result<tokio::net::TcpListener, ServeError> {
    if !addr.ip().is_loopback() && token.is_none() {
        return Err(ServeError::NeedsToken(addr.ip()));
    }
    tokio::net::TcpListener::bind(addr).await.map_err(|source| ServeError::Bind { addr, source })
}
