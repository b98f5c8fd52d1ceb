//! The HTTP side: the live page, live status and events, the session summary and controls, as JSON, on
//! loopback unless told otherwise. Everything the page needs is served from here; nothing from the internet.

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
        (Bounded, routes!(home)),
        (Bounded, routes!(page)),
        (Bounded, routes!(history_page)),
        (Bounded, routes!(session_page)),
        (Bounded, routes!(report_page)),
        (Public, routes!(healthz)),
        (Bounded, routes!(metrics)),
        (Bounded, routes!(openapi)),
        (Bounded, routes!(status)),
        (Open, routes!(events)),
        (Open, routes!(camera)),
        (Bounded, routes!(frame)),
        (Bounded, routes!(session)),
        (Bounded, routes!(set_exercise)),
        (Bounded, routes!(stop)),
        (Bounded, routes!(sessions)),
        (Bounded, routes!(session_by_id)),
        (Bounded, routes!(exercises)),
        (Bounded, routes!(exercise_by_id)),
        (Bounded, routes!(routines)),
        (Bounded, routes!(progress)),
        (Bounded, routes!(progress_chart)),
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
    components(schemas(ErrorBody)),
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
    path = "/api/status",
    summary = r#"The latest judgement, pose and loop statistics."#,
    responses(
        (status = 200, description = "status", body = crate::running::hub::Status),
    )
)]
async fn status(State(state): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], state.hub.status_json().to_string()).into_response()
}

#[utoipa::path(
    get,
    path = "/api/session",
    summary = r#"The current session's summary."#,
    responses(
        (status = 200, description = "summary", body = crate::coaching::session::Summary),
        (status = 404, description = "Error", body = ErrorBody),
    )
)]
async fn session(State(state): State<AppState>) -> Response {
    match state.hub.summary() {
        Some(s) => Json(s).into_response(),
        None => error(StatusCode::NOT_FOUND, "no session has started yet"),
    }
}

#[utoipa::path(
    get,
    path = "/api/events",
    summary = r#"Server-Sent Events: one `data:` line per judged frame, each a Status object; an `ended` event with {summary, closing} when a session ends, and a last one (closing: true) before the server stops. At most 16 clients."#,
    responses(
        (status = 200, description = "event stream", body = String, content_type = "text/event-stream"),
        (status = 503, description = "Error", body = ErrorBody),
    )
)]
async fn events(State(state): State<AppState>) -> Response {
    let Ok(permit) = state.event_slots.clone().try_acquire_owned() else {
        return error(StatusCode::SERVICE_UNAVAILABLE, "too many live pages are open");
    };
    struct Follow {
        first: Option<String>,
        rx: tokio::sync::broadcast::Receiver<HubEvent>,
        hub: Arc<Hub>,
        done: bool,
        _permit: tokio::sync::OwnedSemaphorePermit,
    }
    // Subscribed before the current state is read: an event published in between then comes twice (a status
    // repeated, harmless) rather than never (an `ended` lost, and the page waits for ever).
    let rx = state.hub.subscribe();
    let first = serde_json::to_string(&state.hub.status()).expect("status serialises");
    let follow = Follow { first: Some(first), rx, hub: state.hub.clone(), done: false, _permit: permit };
    // The current state first, then every judgement (a slow client skips what it missed) and `ended` when a
    // session ends; when the server stops, a last `ended` and the end of the stream.
    let stream = futures_util::stream::unfold(follow, |mut f| async move {
        if f.done {
            return None;
        }
        if let Some(first) = f.first.take() {
            return Some((Ok::<_, Infallible>(Event::default().data(first)), f));
        }
        loop {
            let next = tokio::select! {
                next = f.rx.recv() => next,
                _ = f.hub.events_closed() => {
                    f.done = true;
                    let last = Event::default().event("ended").data(&*f.hub.ended_json(true));
                    return Some((Ok(last), f));
                }
            };
            let event = match next {
                Ok(HubEvent::Status(data)) => Event::default().data(&*data),
                Ok(HubEvent::Ended(data)) => Event::default().event("ended").data(&*data),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
            };
            return Some((Ok(event), f));
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(10))).into_response()
}

/// The browser's camera: the page sends JPEG frames over this WebSocket (with `live --camera browser`).
#[utoipa::path(
    get,
    path = "/api/camera",
    summary = r#"WebSocket for the browser's camera (`live --camera browser`): the page sends its frames as binary JPEG messages (at most 2 MiB, 1920 px a side); the newest frame wins when the model is busy. A text message {"camera_error": "..."} says why the page has no picture (shown as the status's source_error until frames come). Only from the server's own page (Origin must be http:// + Host); one page at a time."#,
    responses(
        (status = 101, description = "switching to the WebSocket protocol"),
        (status = 400, description = "Error (not a WebSocket request)", body = ErrorBody),
        (status = 403, description = "Error (another origin)", body = ErrorBody),
        (status = 409, description = "Error (this run does not take the browser's camera, or another page already sends)", body = ErrorBody),
    )
)]
async fn camera(
    State(state): State<AppState>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    let Some(feed) = state.hub.browser_feed().cloned() else {
        return error(
            StatusCode::CONFLICT,
            "this run does not take the browser's camera (start it with `stretchcoach live --camera browser`)",
        );
    };
    if !same_origin(&headers) {
        return error(StatusCode::FORBIDDEN, "camera frames are taken only from this server's own page");
    }
    let Ok(ws) = ws else {
        return error(StatusCode::BAD_REQUEST, "this is a WebSocket for the page's camera frames");
    };
    if !feed.connect() {
        return error(StatusCode::CONFLICT, "another page is already sending its camera: close it first");
    }
    let on_fail = feed.clone();
    let hub = state.hub.clone();
    ws.max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        .on_failed_upgrade(move |_| on_fail.disconnect())
        .on_upgrade(move |socket| receive_frames(socket, feed, hub))
}

/// The page's `Origin` is this server (`http://` and the `Host` it was asked for): another site open in the
/// same browser cannot feed frames in, and a client that says no origin is not a page of ours.
fn same_origin(headers: &HeaderMap) -> bool {
    let get = |h| headers.get(h).and_then(|v: &header::HeaderValue| v.to_str().ok());
    matches!((get(header::ORIGIN), get(header::HOST)), (Some(o), Some(h)) if o.strip_prefix("http://") == Some(h))
}

/// What the page says when its camera did not start.
#[derive(Deserialize)]
struct CameraProblem {
    camera_error: String,
}

async fn receive_frames(mut socket: WebSocket, feed: Arc<BrowserFeed>, hub: Arc<Hub>) {
    loop {
        let message = tokio::select! {
            m = socket.recv() => m,
            _ = hub.events_closed() => {
                let _ = socket.send(Message::Close(None)).await;
                break;
            }
        };
        match message {
            Some(Ok(Message::Binary(jpeg))) => {
                if hub.snapshot().status.source_error.is_some() {
                    hub.set_source_error(None); // a picture again
                }
                let dropped = feed.push(jpeg.to_vec());
                hub.count_received(dropped);
            }
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
            // Why the page has no picture (camera refused, missing, busy): said in the terminal and on the page.
            Some(Ok(Message::Text(text))) => {
                let said: Option<CameraProblem> = serde_json::from_str(&text).ok();
                if let Some(CameraProblem { camera_error }) = said {
                    let problem: String = camera_error.chars().take(300).collect();
                    eprintln!("The browser's camera did not start: {problem}");
                    hub.set_source_error(Some(format!("the browser's camera did not start: {problem}")));
                }
            }
            Some(Ok(_)) => {} // pings
        }
    }
    feed.disconnect();
}

#[utoipa::path(
    get,
    path = "/api/frame.jpg",
    summary = r#"The latest camera frame as JPEG (404 before the first frame or for keypoint replays)."#,
    responses(
        (status = 200, description = "JPEG", body = inline(Jpeg), content_type = "image/jpeg"),
        (status = 404, description = "Error", body = ErrorBody),
    )
)]
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

#[derive(Deserialize, utoipa::ToSchema)]
struct SetExercise {
    exercise: String,
}

#[utoipa::path(
    post,
    path = "/api/session/exercise",
    summary = r#"Switch the stretch judged (an id or "auto")."#,
    request_body = SetExercise,
    responses(
        (status = 200, description = "switched", body = Object),
        (status = 400, description = "Error", body = ErrorBody),
        (status = 404, description = "Error", body = ErrorBody),
        (status = 409, description = "Error", body = ErrorBody),
    )
)]
async fn set_exercise(State(state): State<AppState>, body: Option<Json<SetExercise>>) -> Response {
    let choice = body.and_then(|Json(SetExercise { exercise })| exercise.parse::<ExerciseChoice>().ok());
    let Some(choice) = choice else {
        return error(StatusCode::BAD_REQUEST, r#"send {"exercise": "ID"} (an id from /api/exercises, or "auto")"#);
    };
    let plan = match Plan::choose(&choice, &state.hub.catalog) {
        Ok(plan) => plan,
        Err(unknown) => return error(StatusCode::NOT_FOUND, &unknown.to_string()),
    };
    to_loop(&state, Control::SetPlan(plan), serde_json::json!({ "exercise": choice.to_string() }))
}

/// Hands a request to the running loop: `ok` when one is listening, 409 when none runs.
fn to_loop(state: &AppState, control: Control, ok: serde_json::Value) -> Response {
    match state.hub.send(control) {
        true => Json(ok).into_response(),
        false => error(StatusCode::CONFLICT, "no live session is running"),
    }
}

#[utoipa::path(
    post,
    path = "/api/session/stop",
    summary = r#"End the live session (the summary stays)."#,
    responses(
        (status = 200, description = "stopping", body = Object),
        (status = 409, description = "Error", body = ErrorBody),
    )
)]
async fn stop(State(state): State<AppState>) -> Response {
    to_loop(&state, Control::Stop, serde_json::json!({ "stopping": true }))
}

#[utoipa::path(
    get,
    path = "/live",
    summary = r#"The live view, always (camera frame with the skeleton, the prompt, progress, instructions, safety note, a link to the history)."#,
    responses(
        (status = 200, description = "HTML page", body = String, content_type = "text/html"),
    )
)]
async fn page(State(state): State<AppState>, req: Request) -> Html<String> {
    let exercises: Vec<_> = state
        .hub
        .catalog
        .iter()
        .map(|e| serde_json::json!({ "id": e.id, "name": e.name, "instructions": e.instructions, "cautions": e.cautions }))
        .collect();
    // The latest frame rides in the page itself, so the first paint (and a screenshot) has it.
    let page = LivePage {
        safety: SAFETY_NOTE,
        exercises: script_json(&exercises),
        initial: script_json(&state.hub.status()),
        frame: state.hub.frame().map(|(seq, _)| seq),
        token_query: token_query(&req).replacen('?', "&", 1),
        history: state.hub.db.is_some(),
    };
    Html(page.render().expect("the live page renders"))
}

/// The live page: the template escapes every value but the two JSON documents, which
/// [`script_json`] makes safe inside a script.
#[derive(askama::Template)]
#[template(path = "live.html")]
struct LivePage {
    safety: &'static str,
    exercises: String,
    initial: String,
    frame: Option<u64>,
    /// "" or "&token=...", for the frame's URL.
    token_query: String,
    history: bool,
}

/// A JPEG image, as the document describes it.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)] // only described, never built
struct Jpeg(Vec<u8>);

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

#[utoipa::path(
    get,
    path = "/api/exercises",
    summary = r#"The stretch definitions."#,
    responses(
        (status = 200, description = "definitions", body = Vec<crate::exercise::Exercise>),
    )
)]
async fn exercises(State(state): State<AppState>) -> Response {
    Json(&state.hub.catalog).into_response()
}

#[utoipa::path(
    get,
    path = "/api/exercises/{id}",
    summary = r#"One stretch definition."#,
    params(("id" = String, Path, description = "stretch id, e.g. bridge")),
    responses(
        (status = 200, description = "definition", body = crate::exercise::Exercise),
        (status = 404, description = "Error", body = ErrorBody),
    )
)]
async fn exercise_by_id(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    stretch(&state, &id).map(Json).into_response()
}

/// The stretch `id` names, or the API's 404 for it.
fn stretch<'a>(state: &'a AppState, id: &str) -> Result<&'a crate::exercise::Exercise, ApiError> {
    state
        .hub
        .catalog
        .iter()
        .find(|e| e.id == id)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("unknown stretch {id:?}")))
}

#[utoipa::path(
    get,
    path = "/api/routines",
    summary = r#"The routines."#,
    responses(
        (status = 200, description = "routines", body = Vec<crate::exercise::routine::Routine>),
    )
)]
async fn routines(State(state): State<AppState>) -> Response {
    Json(&state.hub.routines).into_response()
}

/// Runs a read on the server's connection to the session database, off the async threads; `None` from
/// `f` is "no such session".
async fn read_store<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&Store) -> Result<Option<T>, StoreError> + Send + 'static,
) -> Result<T, ApiError> {
    let Some(path) = state.hub.db.clone() else {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "no session history is kept by this run (start it with --db PATH)",
        ));
    };
    let store = state.store.clone();
    let result = tokio::task::spawn_blocking(move || {
        let mut conn = store.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if conn.is_none() {
            *conn = Some(Store::open(&path)?);
        }
        f(conn.as_ref().expect("opened above"))
    })
    .await;
    match result {
        Ok(Ok(Some(v))) => Ok(v),
        Ok(Ok(None)) => Err(ApiError::new(StatusCode::NOT_FOUND, "no such session")),
        Ok(Err(e)) => Err(e.into()),
        Err(_) => Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "the database read failed")),
    }
}

/// A read answered as JSON.
async fn with_store<T: serde::Serialize + Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&Store) -> Result<Option<T>, StoreError> + Send + 'static,
) -> Response {
    read_store(state, f).await.map(Json).into_response()
}

/// The query of a sessions list (`serve`'s and the clinic's).
#[derive(Deserialize)]
pub(crate) struct SessionsQuery {
    from: Option<String>,
    to: Option<String>,
    limit: Option<String>,
}

impl SessionsQuery {
    /// The period and the limit (default 50) of a request's query, checked.
    pub(crate) fn read(
        query: Result<Query<SessionsQuery>, QueryRejection>,
    ) -> Result<(Option<String>, Option<String>, u32), ApiError> {
        let Ok(Query(q)) = query else { return Err(ApiError::new(StatusCode::BAD_REQUEST, "bad query string")) };
        q.checked()
    }

    /// The period and the limit (default 50), checked.
    fn checked(self) -> Result<(Option<String>, Option<String>, u32), ApiError> {
        let bad = |m: &str| ApiError::new(StatusCode::BAD_REQUEST, m);
        let limit = match self.limit.as_deref().map(str::parse::<u32>) {
            None => 50,
            Some(Ok(n)) if (1..=1000).contains(&n) => n,
            _ => return Err(bad("limit must be a whole number from 1 to 1000")),
        };
        if [&self.from, &self.to].into_iter().flatten().any(|t| !valid_time(t)) {
            return Err(bad("from and to must be dates (YYYY-MM-DD) or RFC 3339 times in UTC"));
        }
        Ok((self.from, self.to, limit))
    }
}

/// A date or date-time prefix: YYYY-MM-DD, optionally followed by THH:MM[:SS][Z].
fn valid_time(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| r.clone().all(|i| b.get(i).is_some_and(u8::is_ascii_digit));
    b.len() >= 10
        && b.len() <= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && s[10..].chars().all(|c| c.is_ascii_digit() || "T:Z".contains(c))
}

#[utoipa::path(
    get,
    path = "/api/sessions",
    summary = r#"Session history, newest first."#,
    params(("from" = Option<String>, Query, description = "YYYY-MM-DD or RFC 3339 UTC, inclusive"), ("to" = Option<String>, Query, description = "YYYY-MM-DD or RFC 3339 UTC, exclusive"), ("limit" = Option<u32>, Query, minimum = 1, maximum = 1000, description = "at most this many (default 50)")),
    responses(
        (status = 200, description = "sessions", body = Vec<crate::history::store::StoredSession>),
        (status = 400, description = "Error", body = ErrorBody),
        (status = 503, description = "Error", body = ErrorBody),
    )
)]
async fn sessions(
    State(state): State<AppState>,
    query: Result<Query<SessionsQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let (from, to, limit) = SessionsQuery::read(query)?;
    Ok(with_store(&state, move |s| s.sessions(from.as_deref(), to.as_deref(), limit).map(Some)).await)
}

#[utoipa::path(
    get,
    path = "/api/sessions/{id}",
    summary = r#"One stored session in detail, with its timeline: per stretch the samples (about one a second and at each change of phase, rep or faults), the key measure and its target band, and each fault's periods."#,
    params(("id" = String, Path, description = "session id (integer)")),
    responses(
        (status = 200, description = "session", body = crate::history::timeline::SessionDetail),
        (status = 400, description = "Error", body = ErrorBody),
        (status = 404, description = "Error", body = ErrorBody),
        (status = 503, description = "Error", body = ErrorBody),
    )
)]
async fn session_by_id(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else { return error(StatusCode::BAD_REQUEST, "a session id is a whole number") };
    let catalog = state.hub.catalog.clone();
    with_store(&state, move |s| session_detail(s, id, &catalog)).await
}

#[derive(Deserialize)]
struct ProgressQuery {
    exercise: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/progress",
    summary = r#"Per-day figures for charts."#,
    params(("exercise" = Option<String>, Query, description = "one stretch id")),
    responses(
        (status = 200, description = "days", body = Vec<crate::history::store::DayFigures>),
        (status = 400, description = "Error", body = ErrorBody),
        (status = 404, description = "Error", body = ErrorBody),
        (status = 503, description = "Error", body = ErrorBody),
    )
)]
async fn progress(State(state): State<AppState>, query: Result<Query<ProgressQuery>, QueryRejection>) -> Response {
    let Ok(Query(q)) = query else { return error(StatusCode::BAD_REQUEST, "bad query string") };
    if let Some(Err(unknown)) = q.exercise.as_deref().map(|id| stretch(&state, id)) {
        return unknown.into_response();
    }
    with_store(&state, move |s| s.progress(q.exercise.as_deref()).map(Some)).await
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

/// JSON for embedding in a script element (no "</" to close it early).
fn script_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("serialises").replace("</", "<\\/")
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

// --- The history pages (issue 16): what the page opens on when nothing is live, a session's timeline,
// the report for a clinician, and the progress charts as SVG.

/// `/`: the live page while a session runs (or when no history is kept: its last frame is all there is),
/// else the history.
#[utoipa::path(
    get,
    path = "/",
    summary = r#"The page: the live view (camera frame with the skeleton, the prompt, progress, instructions, safety note) while a session runs or when no history is kept; otherwise the history (as /history)."#,
    responses(
        (status = 200, description = "HTML page", body = String, content_type = "text/html"),
    )
)]
async fn home(State(state): State<AppState>, req: Request) -> Response {
    let status = state.hub.status();
    // A run waiting for the browser's camera is live before its first frame; `?camera=browser` is the page
    // that sends it.
    let wants_camera = req.uri().query().is_some_and(|q| q.split('&').any(|kv| kv == "camera=browser"));
    let waiting_for_camera = status.browser_camera && status.seq == 0;
    let nothing_live = !status.running && !waiting_for_camera && (status.seq > 0 || status.source.is_empty());
    if nothing_live && !wants_camera && state.hub.db.is_some() {
        history_page(State(state), req).await
    } else {
        page(State(state), req).await.into_response()
    }
}

/// "" or "?token=..." for the links of a page reached with a token in its query.
pub(crate) fn token_query(req: &Request) -> String {
    req.uri()
        .query()
        .and_then(|q| q.split('&').find(|kv| kv.starts_with("token=")))
        .map(|kv| format!("?{kv}"))
        .unwrap_or_default()
}

/// Runs a read against the session database off the async threads; `Some(html)` is the page.
async fn html_from_store(
    state: &AppState,
    f: impl FnOnce(&Store) -> Result<Option<String>, StoreError> + Send + 'static,
) -> Response {
    read_store(state, f).await.map(Html).into_response()
}

pub(crate) fn session_detail(
    s: &dyn History,
    id: i64,
    catalog: &[crate::exercise::Exercise],
) -> Result<Option<crate::history::timeline::SessionDetail>, StoreError> {
    let Some(session) = s.session(id)? else { return Ok(None) };
    let timeline = crate::history::timeline::by_stretch(&s.timeline(id)?, catalog);
    Ok(Some(crate::history::timeline::SessionDetail { session, timeline }))
}

#[utoipa::path(
    get,
    path = "/history",
    summary = r#"The history: per stretch a table (sessions, reps, seconds held in good form, form score, most frequent faults) and progress charts (inline SVG, hover for values); the recent sessions, each linking to its page. Goes to the live view when a session starts."#,
    responses(
        (status = 200, description = "HTML page", body = String, content_type = "text/html"),
        (status = 503, description = "Error", body = ErrorBody),
    )
)]
async fn history_page(State(state): State<AppState>, req: Request) -> Response {
    let (q, catalog) = (token_query(&req), state.hub.catalog.clone());
    html_from_store(&state, move |s| crate::web::history_page::history(s, &catalog, Place::local(&q), None).map(Some))
        .await
}

#[utoipa::path(
    get,
    path = "/sessions/{id}",
    summary = r#"One session's page: per stretch its key measure over time against the target band, with the periods of each fault shaded and listed ("hips low in rep 3, 0:42–0:45")."#,
    params(("id" = String, Path, description = "session id (integer)")),
    responses(
        (status = 200, description = "HTML page", body = String, content_type = "text/html"),
        (status = 400, description = "Error", body = ErrorBody),
        (status = 404, description = "Error", body = ErrorBody),
        (status = 503, description = "Error", body = ErrorBody),
    )
)]
async fn session_page(State(state): State<AppState>, Path(id): Path<String>, req: Request) -> Response {
    let Ok(id) = id.parse::<i64>() else { return error(StatusCode::BAD_REQUEST, "a session id is a whole number") };
    let (q, catalog) = (token_query(&req), state.hub.catalog.clone());
    html_from_store(&state, move |s| {
        Ok(session_detail(s, id, &catalog)?
            .map(|d| crate::web::history_page::session(&d.session, &d.timeline, Place::local(&q))))
    })
    .await
}

/// The query of a report: its first and last days (`serve`'s and the clinic's).
#[derive(Deserialize)]
pub(crate) struct ReportQuery {
    pub(crate) from: Option<String>,
    pub(crate) to: Option<String>,
}

impl ReportQuery {
    /// A request's query, checked.
    pub(crate) fn read(query: Result<Query<ReportQuery>, QueryRejection>) -> Result<ReportQuery, ApiError> {
        let Ok(Query(q)) = query else { return Err(ApiError::new(StatusCode::BAD_REQUEST, "bad query string")) };
        q.check().map(|()| q)
    }

    fn check(&self) -> Result<(), ApiError> {
        match [&self.from, &self.to].into_iter().flatten().all(|t| t.len() == 10 && valid_time(t)) {
            true => Ok(()),
            false => Err(ApiError::new(StatusCode::BAD_REQUEST, "from and to must be dates (YYYY-MM-DD)")),
        }
    }
}

#[utoipa::path(
    get,
    path = "/report",
    summary = r#"The report for a clinician: one self-contained printable HTML page (no script, nothing fetched) with the charts, a table per stretch and the safety note; the same as `stretchcoach report`."#,
    params(("from" = Option<String>, Query, format = Date, description = "first day (YYYY-MM-DD, a local day)"), ("to" = Option<String>, Query, format = Date, description = "last day, included (YYYY-MM-DD, a local day)")),
    responses(
        (status = 200, description = "HTML page", body = String, content_type = "text/html"),
        (status = 400, description = "Error", body = ErrorBody),
        (status = 503, description = "Error", body = ErrorBody),
    )
)]
async fn report_page(
    State(state): State<AppState>,
    query: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let q = ReportQuery::read(query)?;
    let catalog = state.hub.catalog.clone();
    Ok(html_from_store(&state, move |s| {
        crate::web::report::render(s, &catalog, q.from.as_deref(), q.to.as_deref(), None).map(Some)
    })
    .await)
}

#[derive(Deserialize)]
struct ChartQuery {
    exercise: Option<String>,
    metric: Option<String>,
}

/// One progress chart of one stretch, as SVG: `metric` is held (default), reps or form.
#[utoipa::path(
    get,
    path = "/api/progress/chart.svg",
    summary = r#"One progress chart of one stretch as SVG: one value per day, labelled axes with units, a <title> (hover text) per bar or point."#,
    params(("exercise" = String, Query, description = "stretch id"), ("metric" = Option<String>, Query, description = "held (default): seconds held in good form, reps, or form score (%)")),
    responses(
        (status = 200, description = "SVG image", body = String, content_type = "image/svg+xml"),
        (status = 400, description = "Error", body = ErrorBody),
        (status = 404, description = "Error", body = ErrorBody),
        (status = 503, description = "Error", body = ErrorBody),
    )
)]
async fn progress_chart(State(state): State<AppState>, query: Result<Query<ChartQuery>, QueryRejection>) -> Response {
    let Ok(Query(q)) = query else { return error(StatusCode::BAD_REQUEST, "bad query string") };
    let Some(id) = q.exercise else { return error(StatusCode::BAD_REQUEST, "which stretch? add ?exercise=ID") };
    let ex = match stretch(&state, &id) {
        Ok(ex) => ex,
        Err(unknown) => return unknown.into_response(),
    };
    let Ok(metric) = q.metric.as_deref().unwrap_or("held").parse::<crate::web::report::Metric>() else {
        return error(StatusCode::BAD_REQUEST, "metric is held, reps or form");
    };
    let name = ex.name.clone();
    read_store(&state, move |s| Ok(Some(crate::web::report::progress_chart(&name, &s.progress(Some(&id))?, metric))))
        .await
        .map(|svg| ([(header::CONTENT_TYPE, "image/svg+xml")], svg))
        .into_response()
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
