//! The live routes: the page, the status and its event stream, the summary so far, the latest frame, the
//! page's camera over a WebSocket, and the requests to the running loop.

use super::*;

#[utoipa::path(
    get,
    path = "/api/status",
    summary = r#"The latest judgement, pose and loop statistics."#,
    responses(
        (status = 200, description = "status", body = crate::running::hub::Status),
    )
)]
pub(super) async fn status(State(state): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], state.hub.status_json().to_string()).into_response()
}

#[utoipa::path(
    get,
    path = "/api/session",
    summary = r#"The current session's summary."#,
    responses(
        (status = 200, description = "summary", body = super::schema::SummaryBody),
        (status = 404, description = "Error", body = ErrorBody),
    )
)]
pub(super) async fn session(State(state): State<AppState>) -> Response {
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
pub(super) async fn events(State(state): State<AppState>) -> Response {
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
pub(super) async fn camera(
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
pub(super) fn same_origin(headers: &HeaderMap) -> bool {
    let get = |h| headers.get(h).and_then(|v: &header::HeaderValue| v.to_str().ok());
    matches!((get(header::ORIGIN), get(header::HOST)), (Some(o), Some(h)) if o.strip_prefix("http://") == Some(h))
}

/// What the page says when its camera did not start.
#[derive(Deserialize)]
pub(super) struct CameraProblem {
    camera_error: String,
}

pub(super) async fn receive_frames(mut socket: WebSocket, feed: Arc<BrowserFeed>, hub: Arc<Hub>) {
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
pub(super) async fn frame(State(state): State<AppState>) -> Response {
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
pub(super) struct SetExercise {
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
pub(super) async fn set_exercise(State(state): State<AppState>, body: Option<Json<SetExercise>>) -> Response {
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
pub(super) fn to_loop(state: &AppState, control: Control, ok: serde_json::Value) -> Response {
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
pub(super) async fn stop(State(state): State<AppState>) -> Response {
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
pub(super) async fn page(State(state): State<AppState>, req: Request) -> Html<String> {
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
pub(super) struct LivePage {
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
pub(super) struct Jpeg(Vec<u8>);

/// JSON for embedding in a script element (no "</" to close it early).
pub(super) fn script_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("serialises").replace("</", "<\\/")
}

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
pub(super) async fn home(State(state): State<AppState>, req: Request) -> Response {
    let status = state.hub.status();
    // A run waiting for the browser's camera is live before its first frame; `?camera=browser` is the page
    // that sends it.
    let wants_camera = req.uri().query().is_some_and(|q| q.split('&').any(|kv| kv == "camera=browser"));
    let waiting_for_camera = status.browser_camera && status.seq == 0;
    let nothing_live = !status.running && !waiting_for_camera && (status.seq > 0 || status.source.is_empty());
    if nothing_live && !wants_camera && state.hub.db.is_some() {
        super::history::history_page(State(state), req).await
    } else {
        page(State(state), req).await.into_response()
    }
}
