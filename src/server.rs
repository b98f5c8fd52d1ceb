//! The HTTP side: the live page, live status and events, the session summary and controls, as JSON, on
//! loopback unless told otherwise. Everything the page needs is served from here; nothing from the internet.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use tokio::sync::Semaphore;

use crate::coach::SAFETY_NOTE;
use crate::hub::Hub;
use crate::live::Control;
use crate::session::Plan;

/// At most this many pages may follow `/api/events` at once.
pub const MAX_EVENT_CLIENTS: usize = 16;

#[derive(Clone)]
struct AppState {
    hub: Arc<Hub>,
    token: Option<Arc<str>>,
    event_slots: Arc<Semaphore>,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("refusing to serve on {0} without --token: only loopback (127.0.0.1, ::1) is open without one, because the page shows your camera")]
    NeedsToken(IpAddr),
    #[error("could not listen on {addr}: {source} (is another program using the port? try --port)")]
    Bind { addr: SocketAddr, source: std::io::Error },
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}

pub fn router(hub: Arc<Hub>, token: Option<String>) -> Router {
    let state = AppState { hub, token: token.map(Arc::from), event_slots: Arc::new(Semaphore::new(MAX_EVENT_CLIENTS)) };
    Router::new()
        .route("/", get(page))
        .route("/api/status", get(status))
        .route("/api/session", get(session))
        .route("/api/events", get(events))
        .route("/api/frame.jpg", get(frame))
        .route("/api/session/exercise", post(set_exercise))
        .route("/api/session/stop", post(stop))
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token))
        .route("/healthz", get(|| async { "ok" }))
        .layer(DefaultBodyLimit::max(16 * 1024))
        .with_state(state)
}

/// `Authorization: Bearer TOKEN`, or `?token=TOKEN` for what a browser cannot add headers to (the page,
/// its event stream and frames).
async fn require_token(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(token) = &state.token {
        let header_ok = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok())
            == Some(format!("Bearer {token}").as_str());
        let query_ok = req.uri().query().is_some_and(|q| {
            q.split('&')
                .any(|kv| kv.strip_prefix("token=").is_some_and(|v| constant_time_eq(v.as_bytes(), token.as_bytes())))
        });
        if !(header_ok || query_ok) {
            return error(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
        }
    }
    next.run(req).await
}

async fn status(State(state): State<AppState>) -> Response {
    Json(state.hub.status()).into_response()
}

async fn session(State(state): State<AppState>) -> Response {
    match state.hub.summary() {
        Some(s) => Json(s).into_response(),
        None => error(StatusCode::NOT_FOUND, "no session has started yet"),
    }
}

async fn events(State(state): State<AppState>) -> Response {
    let Ok(permit) = state.event_slots.clone().try_acquire_owned() else {
        return error(StatusCode::SERVICE_UNAVAILABLE, "too many live pages are open");
    };
    let rx = state.hub.subscribe();
    let first = serde_json::to_string(&state.hub.status()).expect("status serialises");
    // The current state first, then every judgement; a slow client skips what it missed.
    let stream = futures_util::stream::unfold((Some(first), rx, permit), |(first, mut rx, permit)| async move {
        if let Some(f) = first {
            return Some((Ok::<_, Infallible>(Event::default().data(f)), (None, rx, permit)));
        }
        loop {
            match rx.recv().await {
                Ok(data) => return Some((Ok(Event::default().data(&*data)), (None, rx, permit))),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(10))).into_response()
}

async fn frame(State(state): State<AppState>) -> Response {
    let Some((_, image)) = state.hub.frame() else {
        return error(StatusCode::NOT_FOUND, "no camera frame yet");
    };
    let encoded = tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 75).encode_image(&*image).map(|_| out)
    })
    .await;
    match encoded {
        Ok(Ok(jpeg)) => {
            ([(header::CONTENT_TYPE, "image/jpeg"), (header::CACHE_CONTROL, "no-store")], jpeg).into_response()
        }
        _ => error(StatusCode::INTERNAL_SERVER_ERROR, "could not encode the frame"),
    }
}

#[derive(Deserialize)]
struct SetExercise {
    exercise: String,
}

async fn set_exercise(State(state): State<AppState>, body: Option<Json<SetExercise>>) -> Response {
    let Some(Json(SetExercise { exercise })) = body else {
        return error(StatusCode::BAD_REQUEST, r#"send {"exercise": "ID"} (an id from /api/exercises, or "auto")"#);
    };
    let plan = if exercise == "auto" {
        Plan::Auto(state.hub.catalog.clone())
    } else {
        match state.hub.catalog.iter().find(|e| e.id == exercise) {
            Some(ex) => Plan::One(Box::new(ex.clone())),
            None => return error(StatusCode::NOT_FOUND, &format!("unknown stretch {exercise:?}")),
        }
    };
    if state.hub.send(Control::SetPlan(plan)) {
        Json(serde_json::json!({ "exercise": exercise })).into_response()
    } else {
        error(StatusCode::CONFLICT, "no live session is running")
    }
}

async fn stop(State(state): State<AppState>) -> Response {
    if state.hub.send(Control::Stop) {
        Json(serde_json::json!({ "stopping": true })).into_response()
    } else {
        error(StatusCode::CONFLICT, "no live session is running")
    }
}

async fn page(State(state): State<AppState>, req: Request) -> Html<String> {
    let exercises: Vec<_> = state
        .hub
        .catalog
        .iter()
        .map(|e| serde_json::json!({ "id": e.id, "name": e.name, "instructions": e.instructions, "cautions": e.cautions }))
        .collect();
    let status = state.hub.status();
    // The latest frame rides in the page itself, so the first paint (and a screenshot) has it.
    let query = req.uri().query().filter(|q| q.starts_with("token=")).map(|q| format!("&{q}")).unwrap_or_default();
    let frame_img = match state.hub.frame() {
        Some((seq, _)) => format!(r#"<img id="frame0" src="/api/frame.jpg?n={seq}{query}" alt="" hidden>"#),
        None => String::new(),
    };
    Html(
        PAGE.replace("{SAFETY}", SAFETY_NOTE)
            .replace("{EXERCISES}", &script_json(&exercises))
            .replace("{INITIAL}", &script_json(&status))
            .replace("{FRAME_IMG}", &frame_img),
    )
}

const PAGE: &str = include_str!("web/index.html");

/// JSON for embedding in a script element (no "</" to close it early).
fn script_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("serialises").replace("</", "<\\/")
}

/// Binds `addr`: loopback always, anything else only with a token.
pub async fn bind(addr: SocketAddr, token: Option<&str>) -> Result<tokio::net::TcpListener, ServeError> {
    if !addr.ip().is_loopback() && token.is_none() {
        return Err(ServeError::NeedsToken(addr.ip()));
    }
    tokio::net::TcpListener::bind(addr).await.map_err(|source| ServeError::Bind { addr, source })
}
