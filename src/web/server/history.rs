//! The stored history: the stretches and routines, sessions and per-day figures as JSON, and the pages
//! drawn from them (what the page opens on when nothing is live, a session's timeline, the report for a
//! clinician, the progress charts as SVG).

use super::*;

#[utoipa::path(
    get,
    path = "/api/exercises",
    summary = r#"The stretch definitions."#,
    responses(
        (status = 200, description = "definitions", body = Vec<super::schema::ExerciseBody>),
    )
)]
pub(super) async fn exercises(State(state): State<AppState>) -> Response {
    Json(&state.hub.catalog).into_response()
}

#[utoipa::path(
    get,
    path = "/api/exercises/{id}",
    summary = r#"One stretch definition."#,
    params(("id" = String, Path, description = "stretch id, e.g. bridge")),
    responses(
        (status = 200, description = "definition", body = super::schema::ExerciseBody),
        (status = 404, description = "Error", body = ErrorBody),
    )
)]
pub(super) async fn exercise_by_id(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    stretch(&state, &id).map(Json).into_response()
}

/// The stretch `id` names, or the API's 404 for it.
pub(super) fn stretch<'a>(state: &'a AppState, id: &str) -> Result<&'a crate::exercise::Exercise, ApiError> {
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
        (status = 200, description = "routines", body = Vec<super::schema::RoutineBody>),
    )
)]
pub(super) async fn routines(State(state): State<AppState>) -> Response {
    Json(&state.hub.routines).into_response()
}

/// Runs a read on the server's connection to the session database, off the async threads; `None` from
/// `f` is "no such session".
pub(super) async fn read_store<T: Send + 'static>(
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
pub(super) async fn with_store<T: serde::Serialize + Send + 'static>(
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
pub(super) fn valid_time(s: &str) -> bool {
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
pub(super) async fn sessions(
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
pub(super) async fn session_by_id(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else { return error(StatusCode::BAD_REQUEST, "a session id is a whole number") };
    let catalog = state.hub.catalog.clone();
    with_store(&state, move |s| session_detail(s, id, &catalog)).await
}

#[derive(Deserialize)]
pub(super) struct ProgressQuery {
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
pub(super) async fn progress(
    State(state): State<AppState>,
    query: Result<Query<ProgressQuery>, QueryRejection>,
) -> Response {
    let Ok(Query(q)) = query else { return error(StatusCode::BAD_REQUEST, "bad query string") };
    if let Some(Err(unknown)) = q.exercise.as_deref().map(|id| stretch(&state, id)) {
        return unknown.into_response();
    }
    with_store(&state, move |s| s.progress(q.exercise.as_deref()).map(Some)).await
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
pub(super) async fn html_from_store(
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
pub(super) async fn history_page(State(state): State<AppState>, req: Request) -> Response {
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
pub(super) async fn session_page(State(state): State<AppState>, Path(id): Path<String>, req: Request) -> Response {
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
pub(super) async fn report_page(
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
pub(super) struct ChartQuery {
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
pub(super) async fn progress_chart(
    State(state): State<AppState>,
    query: Result<Query<ChartQuery>, QueryRejection>,
) -> Response {
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
