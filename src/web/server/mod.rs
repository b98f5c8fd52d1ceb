//! The HTTP side: the live page, live status and events, the session summary and controls, as JSON, on
//! loopback unless told otherwise. Everything the page needs is served from here; nothing from the internet.
//! This file holds the router, its document, the token check and the errors; `live` the live routes and
//! page, `history` the stored history's API and pages.

mod history;
mod live;
mod schema;

pub(crate) use history::{session_detail, token_query, ReportQuery, SessionsQuery};

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use askama::Template as _;
use axum::extract::rejection::QueryRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::{Json, Router};
use serde::Deserialize;
use tokio::sync::Semaphore;
use tower_http::timeout::TimeoutLayer;
use utoipa::OpenApi as _;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

use crate::coaching::coach::SAFETY_NOTE;
use crate::coaching::session::Plan;
use crate::exercise::choice::ExerciseChoice;
use crate::history::store::{History, Store, StoreError};
use crate::running::hub::{Control, Hub, HubEvent};
use crate::seeing::capture::browser::{BrowserFeed, MAX_FRAME_BYTES};
use crate::web::clinic::tokens::constant_time_eq;
use crate::web::history_page::Place;
/// A request (other than the event stream) taking longer than this is answered 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A client must send a request's headers within this time. (hyper applies its own header timeout only
/// when given a timer, which `axum::serve` does not do: a client that never finished its headers held its
/// connection for ever.)
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);

/// The name of the server's threads (so that their CPU time can be told from the pose loop's).
pub const HTTP_THREAD: &str = "http";

/// At most this many pages may follow `/api/events` at once.
pub const MAX_EVENT_CLIENTS: usize = 16;

#[derive(Clone)]
struct AppState {
    hub: Arc<Hub>,
    /// The server's one connection to the session database, opened at the first read (a live run creates
    /// the file only when its first session starts).
    store: Arc<std::sync::Mutex<Option<Store>>>,
    token: Option<Arc<str>>,
    event_slots: Arc<Semaphore>,
    metrics: Arc<crate::web::metrics::Metrics>,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("refusing to serve on {0} without --token: only loopback (127.0.0.1, ::1) is open without one, because the page shows your camera")]
    NeedsToken(IpAddr),
    #[error("could not listen on {addr}: {source} (is another program using the port? try --port)")]
    Bind { addr: SocketAddr, source: std::io::Error },
}

/// Every error answer of the API: a status and a message, sent as JSON `{"error": message}`.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError { status, message: message.into() }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(ErrorBody { error: self.message })).into_response()
    }
}

/// The body of every error answer.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    pub error: String,
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
    }
}

pub(crate) fn error(status: StatusCode, message: &str) -> Response {
    ApiError::new(status, message).into_response()
}

/// How a route is served.
#[derive(Clone, Copy, PartialEq)]
enum Reach {
    /// Behind the token, and answered within [`REQUEST_TIMEOUT`].
    Bounded,
    /// Behind the token, and meant to stay open (the event stream, the camera socket).
    Open,
    /// Open to all, for health checks.
    Public,
}

/// Every route of the server, each with how it is served. `routes!` takes a handler's method and path
/// from its `#[utoipa::path]`, so the router and the API document are made from this one list.
fn table() -> Vec<(Reach, UtoipaMethodRouter<AppState>)> {
    use Reach::*;
    vec![
        (Bounded, routes!(live::home)),
        (Bounded, routes!(live::page)),
        (Bounded, routes!(history::history_page)),
        (Bounded, routes!(history::session_page)),
        (Bounded, routes!(history::report_page)),
        (Public, routes!(healthz)),
        (Bounded, routes!(metrics)),
        (Bounded, routes!(openapi)),
        (Bounded, routes!(live::status)),
        (Open, routes!(live::events)),
        (Open, routes!(live::camera)),
        (Bounded, routes!(live::frame)),
        (Bounded, routes!(live::session)),
        (Bounded, routes!(live::set_exercise)),
        (Bounded, routes!(live::stop)),
        (Bounded, routes!(history::sessions)),
        (Bounded, routes!(history::session_by_id)),
        (Bounded, routes!(history::exercises)),
        (Bounded, routes!(history::exercise_by_id)),
        (Bounded, routes!(history::routines)),
        (Bounded, routes!(history::progress)),
        (Bounded, routes!(history::progress_chart)),
    ]
}

/// What the document says besides the routes: who, where, how to authenticate, and the error body.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "stretchcoach",
        description = r#"Live coaching of back-pain stretches and the session history. Listens on 127.0.0.1 by default; with --token every route but /healthz needs `Authorization: Bearer TOKEN` (or ?token=TOKEN for the page, its events and frames). Errors are JSON {"error": message}."#
    ),
    servers((url = "http://127.0.0.1:8080")),
    security(("bearer" = []), ()),
    components(schemas(ErrorBody, schema::FrameReportBody)),
    modifiers(&BearerScheme)
)]
struct ApiDoc;

struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API document (`/api/openapi.json`): [`ApiDoc`] with every route of [`table`] and the schemas
/// their answers use.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    table()
        .into_iter()
        .fold(OpenApiRouter::with_openapi(ApiDoc::openapi()), |r, (_, route)| r.routes(route))
        .into_openapi()
}

/// Every route the router serves, as (method, path), read from the table the router is built from;
/// `/api/openapi.json` must describe exactly these (and nothing more).
pub fn routes() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (_, (_, paths, _)) in table() {
        for (path, item) in paths.paths {
            for (method, op) in [("get", &item.get), ("post", &item.post), ("put", &item.put), ("delete", &item.delete)]
            {
                if op.is_some() {
                    out.push((method.to_string(), path.clone()));
                }
            }
        }
    }
    out
}

pub fn router(hub: Arc<Hub>, token: Option<String>) -> Router {
    let state = AppState {
        metrics: Arc::new(crate::web::metrics::Metrics::new(hub.clone())),
        hub,
        store: Default::default(),
        token: token.map(Arc::from),
        event_slots: Arc::new(Semaphore::new(MAX_EVENT_CLIENTS)),
    };
    let (mut bounded, mut open, mut public) = (OpenApiRouter::new(), OpenApiRouter::new(), OpenApiRouter::new());
    for (reach, route) in table() {
        let group = match reach {
            Reach::Bounded => &mut bounded,
            Reach::Open => &mut open,
            Reach::Public => &mut public,
        };
        *group = std::mem::take(group).routes(route);
    }
    let (bounded, open, public) = (Router::from(bounded), Router::from(open), Router::from(public));
    // Every request but the streams must finish within this time.
    let bounded = bounded.layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT));
    open.merge(bounded)
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token))
        .merge(public)
        .layer(DefaultBodyLimit::max(16 * 1024))
        .with_state(state)
}

/// `Authorization: Bearer TOKEN`, or `?token=TOKEN` for what a browser cannot add headers to (the page,
/// its event stream and frames).
async fn require_token(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(token) = &state.token {
        let header_ok = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.as_bytes().strip_prefix(b"Bearer "))
            .is_some_and(|v| constant_time_eq(v, token.as_bytes()));
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

#[utoipa::path(
    get,
    path = "/healthz",
    summary = r#"Liveness; never needs the token."#,
    security(()),
    responses(
        (status = 200, description = "ok", body = String, content_type = "text/plain"),
    )
)]
async fn healthz() -> &'static str {
    "ok"
}

#[utoipa::path(
    get,
    path = "/api/openapi.json",
    summary = r#"This document."#,
    responses(
        (status = 200, description = "OpenAPI 3.1 document", body = Object),
    )
)]
async fn openapi() -> Response {
    static DOCUMENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let doc = DOCUMENT.get_or_init(|| openapi_document().to_pretty_json().expect("the API document serialises"));
    ([(header::CONTENT_TYPE, "application/json")], doc.as_str()).into_response()
}

/// Prometheus text exposition format, version 0.0.4.
#[utoipa::path(
    get,
    path = "/metrics",
    summary = r#"Prometheus text format: frames, fps, drops, inference time histogram, fault prompts."#,
    responses(
        (status = 200, description = "metrics", body = String, content_type = "text/plain"),
    )
)]
async fn metrics(State(state): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, crate::web::metrics::CONTENT_TYPE)], state.metrics.render()).into_response()
}

/// Serves `app` on `listener` over HTTP/1.1 (all the page and API clients need), with [`HEADER_TIMEOUT`],
/// until `stop` resolves; then stops accepting, lets requests in flight finish (at most [`DRAIN_TIMEOUT`])
/// and returns. Event streams and the camera socket end on [`Hub::close_events`], which `stop` should call.
pub async fn serve(listener: tokio::net::TcpListener, app: Router, stop: impl std::future::Future<Output = ()>) {
    let (closing, _) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    tokio::pin!(stop);
    loop {
        let stream = tokio::select! {
            _ = &mut stop => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors, or a connection gone before it was accepted: pause, carry on.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true); // small JSON answers and events: send them now
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let mut closing = closing.subscribe();
        connections.spawn(async move {
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .with_upgrades();
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = async { closing.wait_for(|c| *c).await.map(|_| ()) } => {
                    // Finish the request in flight, then close.
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
    drop(listener);
    closing.send_replace(true);
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, async { while connections.join_next().await.is_some() {} }).await;
}

/// How long a stopping server waits for requests in flight.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Binds `addr`: loopback always, anything else only with a token.
pub async fn bind(addr: SocketAddr, token: Option<&str>) -> Result<tokio::net::TcpListener, ServeError> {
    if !addr.ip().is_loopback() && token.is_none() {
        return Err(ServeError::NeedsToken(addr.ip()));
    }
    tokio::net::TcpListener::bind(addr).await.map_err(|source| ServeError::Bind { addr, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document() -> serde_json::Value {
        serde_json::to_value(openapi_document()).expect("serialises")
    }

    /// Every `$ref` in `v`.
    fn refs(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(o) => {
                if let Some(serde_json::Value::String(r)) = o.get("$ref") {
                    out.push(r.clone());
                }
                o.values().for_each(|v| refs(v, out));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }

    #[test]
    fn every_schema_the_document_refers_to_is_in_it() {
        let doc = document();
        let mut found = Vec::new();
        refs(&doc, &mut found);
        assert!(found.len() > 20, "{found:?}");
        for r in found {
            let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("{r}"));
            assert!(doc["components"]["schemas"][name].is_object(), "{r} is not in the document");
        }
        for name in
            ["Status", "Summary", "StoredSession", "SessionDetail", "DayFigures", "Exercise", "Routine", "Error"]
        {
            assert!(doc["components"]["schemas"][name].is_object(), "no {name}");
        }
    }

    #[test]
    fn every_error_answer_is_documented_as_an_error_body() {
        let doc = document();
        for (path, ops) in doc["paths"].as_object().unwrap() {
            for (method, op) in ops.as_object().unwrap() {
                assert!(op["summary"].as_str().is_some_and(|s| !s.is_empty()), "{method} {path}: no summary");
                for (code, answer) in op["responses"].as_object().unwrap() {
                    if code.starts_with('4') || code.starts_with('5') {
                        let schema = &answer["content"]["application/json"]["schema"]["$ref"];
                        assert_eq!(schema, "#/components/schemas/Error", "{method} {path} {code}");
                    }
                }
            }
        }
    }

    #[test]
    fn only_healthz_is_public_and_only_the_streams_are_open() {
        let reach = |r: Reach| -> Vec<String> {
            let mut paths: Vec<String> = table()
                .into_iter()
                .filter(|(reach, _)| *reach == r)
                .flat_map(|(_, (_, paths, _))| paths.paths.into_keys())
                .collect();
            paths.sort();
            paths
        };
        assert_eq!(reach(Reach::Public), ["/healthz"]);
        assert_eq!(reach(Reach::Open), ["/api/camera", "/api/events"]);
        assert_eq!(document()["paths"]["/healthz"]["get"]["security"], serde_json::json!([{}]));
        assert_eq!(document()["security"], serde_json::json!([{ "bearer": [] }, {}]));
    }

    #[test]
    fn the_frame_is_documented_as_binary() {
        let doc = document();
        let schema = &doc["paths"]["/api/frame.jpg"]["get"]["responses"]["200"]["content"]["image/jpeg"]["schema"];
        assert_eq!((&schema["type"], &schema["format"]), (&serde_json::json!("string"), &serde_json::json!("binary")));
    }

    #[test]
    fn an_error_is_json_with_its_message() {
        let r = ApiError::new(StatusCode::CONFLICT, "busy \"now\"").into_response();
        assert_eq!(r.status(), StatusCode::CONFLICT);
        assert_eq!(r.headers()[header::CONTENT_TYPE], "application/json");
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let body = runtime.block_on(axum::body::to_bytes(r.into_body(), 1 << 16)).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v, serde_json::json!({ "error": "busy \"now\"" }));
    }
}
