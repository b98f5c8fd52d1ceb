//! The clinic's HTTP side: the patient list, each patient's progress, sessions and report (the same pages
//! and charts as `serve`), and the route a patient's coach shares sessions through. Every route but
//! `/healthz` needs a token: the clinician's reads everything; a patient's reads and writes only that
//! patient's sessions (403 on any other); none, or a wrong one, is 401.

use std::sync::Arc;

use askama::Template as _;
use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Json, Router};
use serde::{Deserialize, Serialize};
use tower_http::timeout::TimeoutLayer;
use utoipa::OpenApi as _;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

use super::{Clinic, ClinicError, Patient, Who};
use crate::exercise::Exercise;
use crate::history::store::postgres::PatientHistory;
use crate::history::store::{History, SharedSession, StoreError};
use crate::web::history_page::Place;
use crate::web::server::{error, token_query, ApiError, ErrorBody, ReportQuery, SessionsQuery, REQUEST_TIMEOUT};

/// The largest shared session accepted (an hour's timeline is about half a megabyte).
pub const MAX_SHARE_BYTES: usize = 16 * 1024 * 1024;

#[derive(Clone)]
struct ClinicState {
    clinic: Clinic,
    catalog: Arc<Vec<Exercise>>,
    /// The clinician's token when it comes from the environment.
    given: Option<Arc<str>>,
}

impl From<ClinicError> for ApiError {
    fn from(e: ClinicError) -> ApiError {
        match e {
            ClinicError::Store(s) => s.into(),
            other => ApiError::new(StatusCode::BAD_REQUEST, other.to_string()),
        }
    }
}

/// A database that cannot be reached is 503 (try again), a session that does not hold together 400.
fn store_error(e: StoreError) -> ApiError {
    match e {
        StoreError::Unreachable(_) => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
        StoreError::Invalid(_) => ApiError::new(StatusCode::BAD_REQUEST, e.to_string()),
        e => e.into(),
    }
}

/// Every route, and whether it is public. The router and the API document are made from this one list.
fn table() -> Vec<(bool, UtoipaMethodRouter<ClinicState>)> {
    vec![
        (true, routes!(healthz)),
        (false, routes!(openapi)),
        (false, routes!(me)),
        (false, routes!(patients)),
        (false, routes!(patient)),
        (false, routes!(sessions)),
        (false, routes!(session_by_id)),
        (false, routes!(held)),
        (false, routes!(share)),
        (false, routes!(patients_page)),
        (false, routes!(progress_page)),
        (false, routes!(session_page)),
        (false, routes!(report_page)),
    ]
}

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "stretchcoach clinic",
        description = r#"A clinic's server: patients' shared session summaries and timelines (never a frame). Every route but /healthz needs `Authorization: Bearer TOKEN` (or ?token=TOKEN for the pages): the clinician's token reads every patient; a patient's token reads and writes that patient's sessions only (403 on another's); no token or a wrong one is 401. Errors are JSON {"error": message}."#
    ),
    security(("bearer" = [])),
    components(schemas(ErrorBody)),
)]
struct ClinicDoc;

/// The clinic's API document (`/api/openapi.json`).
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let mut doc = table()
        .into_iter()
        .fold(OpenApiRouter::with_openapi(ClinicDoc::openapi()), |r, (_, route)| r.routes(route))
        .into_openapi();
    use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
    doc.components
        .get_or_insert_with(Default::default)
        .add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    doc
}

/// The clinic's router. `given`: the clinician's token from the environment, if any.
pub fn router(clinic: Clinic, catalog: Vec<Exercise>, given: Option<String>) -> Router {
    let state = ClinicState { clinic, catalog: Arc::new(catalog), given: given.map(Arc::from) };
    let (mut private, mut public) = (OpenApiRouter::new(), OpenApiRouter::new());
    for (open, route) in table() {
        let group = if open { &mut public } else { &mut private };
        *group = std::mem::take(group).routes(route);
    }
    Router::from(private)
        .route_layer(middleware::from_fn_with_state(state.clone(), authenticate))
        .merge(Router::from(public))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .layer(DefaultBodyLimit::max(MAX_SHARE_BYTES))
        .with_state(state)
}

/// Finds whose token the request carries (`Authorization: Bearer`, or `?token=` for pages) and passes
/// it on to the handler; 401 when there is none or it is no one's.
async fn authenticate(State(state): State<ClinicState>, mut req: Request, next: Next) -> Response {
    let header = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let token = header.and_then(|v| v.strip_prefix("Bearer ")).map(str::to_owned).or_else(|| {
        req.uri().query().and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("token=").map(str::to_owned)))
    });
    let Some(token) = token else { return error(StatusCode::UNAUTHORIZED, "missing bearer token") };
    let (clinic, given) = (state.clinic.clone(), state.given.clone());
    let who = tokio::task::spawn_blocking(move || clinic.authenticate(&token, given.as_deref())).await;
    match who {
        Ok(Ok(Some(who))) => {
            req.extensions_mut().insert(who);
            next.run(req).await
        }
        Ok(Ok(None)) => error(StatusCode::UNAUTHORIZED, "wrong or revoked token"),
        Ok(Err(e)) => ApiError::from(e).into_response(),
        Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "checking the token failed"),
    }
}

fn clinician_only(who: Who) -> Result<(), ApiError> {
    match who {
        Who::Clinician => Ok(()),
        Who::Patient(_) => Err(ApiError::new(StatusCode::FORBIDDEN, "only the clinician's token may do this")),
    }
}

/// Runs `f` on patient `id`'s history off the async threads, once the token may see that patient and
/// the patient exists; `None` from `f` is "no such session".
async fn on_patient<T: Send + 'static>(
    state: &ClinicState,
    who: Who,
    id: &str,
    f: impl FnOnce(&mut PatientHistory, &Patient) -> Result<Option<T>, StoreError> + Send + 'static,
) -> Result<T, ApiError> {
    let Ok(id) = id.parse::<i64>() else {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "a patient id is a whole number"));
    };
    if !who.may_see(id) {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "this token may not see that patient"));
    }
    let clinic = state.clinic.clone();
    let result = tokio::task::spawn_blocking(move || -> Result<Option<T>, ApiError> {
        let Some(patient) = clinic.patient(id)? else {
            return Err(ApiError::new(StatusCode::NOT_FOUND, "no such patient"));
        };
        f(&mut clinic.history(id), &patient).map_err(store_error)
    })
    .await
    .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "the database read failed"))?;
    result?.ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "no such session"))
}

async fn on_clinic<T: Send + 'static>(
    state: &ClinicState,
    f: impl FnOnce(&Clinic) -> Result<T, ClinicError> + Send + 'static,
) -> Result<T, ApiError> {
    let clinic = state.clinic.clone();
    match tokio::task::spawn_blocking(move || f(&clinic)).await {
        Ok(r) => r.map_err(|e| match e {
            ClinicError::Store(s) => store_error(s),
            e => e.into(),
        }),
        Err(_) => Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "the database read failed")),
    }
}

/// What a route about a patient may answer besides its own: a bad query, no token, another's patient, none
/// such, the database away (`ApiError` builds them; this only documents them).
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
enum PatientErrors {
    #[response(status = 400, description = "Error")]
    BadRequest(ErrorBody),
    #[response(status = 401, description = "Error")]
    Unauthorized(ErrorBody),
    #[response(status = 403, description = "Error")]
    Forbidden(ErrorBody),
    #[response(status = 404, description = "Error")]
    NotFound(ErrorBody),
    #[response(status = 503, description = "Error")]
    Unavailable(ErrorBody),
}

#[utoipa::path(get, path = "/healthz", summary = "Liveness; needs no token.", security(()),
    responses((status = 200, description = "ok", body = String, content_type = "text/plain")))]
async fn healthz() -> &'static str {
    "ok"
}

#[utoipa::path(get, path = "/api/openapi.json", summary = "This document.",
    responses((status = 200, description = "the OpenAPI document", body = Object), (status = 401, description = "Error", body = ErrorBody)))]
async fn openapi() -> Response {
    Json(openapi_document()).into_response()
}

#[utoipa::path(get, path = "/api/me", summary = r#"Whose token this is: "clinician", or {"patient": ID}."#,
    responses((status = 200, description = "the holder", body = Who), (status = 401, description = "Error", body = ErrorBody)))]
async fn me(Extension(who): Extension<Who>) -> Json<Who> {
    Json(who)
}

#[utoipa::path(get, path = "/api/patients", summary = "Every patient (clinician only), with their last session and adherence: days with a session in the last 7 and 28 days.",
    responses((status = 200, description = "patients", body = Vec<Patient>), (status = 401, description = "Error", body = ErrorBody),
        (status = 403, description = "Error", body = ErrorBody), (status = 503, description = "Error", body = ErrorBody)))]
async fn patients(State(state): State<ClinicState>, Extension(who): Extension<Who>) -> Response {
    if let Err(e) = clinician_only(who) {
        return e.into_response();
    }
    on_clinic(&state, |c| c.patients()).await.map(Json).into_response()
}

#[utoipa::path(get, path = "/api/patients/{id}", summary = "One patient, with their last session and adherence.",
    params(("id" = i64, Path, description = "patient id")),
    responses((status = 200, description = "patient", body = Patient), PatientErrors))]
async fn patient(State(state): State<ClinicState>, Extension(who): Extension<Who>, Path(id): Path<String>) -> Response {
    on_patient(&state, who, &id, |_, p| Ok(Some(p.clone()))).await.map(Json).into_response()
}

#[utoipa::path(get, path = "/api/patients/{id}/sessions", summary = "A patient's sessions, newest first.",
    params(("id" = i64, Path, description = "patient id"), ("from" = Option<String>, Query, description = "YYYY-MM-DD or RFC 3339 UTC, inclusive"),
        ("to" = Option<String>, Query, description = "YYYY-MM-DD or RFC 3339 UTC, exclusive"), ("limit" = Option<u32>, Query, minimum = 1, maximum = 1000, description = "at most this many (default 50)")),
    responses((status = 200, description = "sessions", body = Vec<crate::history::store::StoredSession>), PatientErrors))]
async fn sessions(
    State(state): State<ClinicState>,
    Extension(who): Extension<Who>,
    Path(id): Path<String>,
    query: Result<Query<SessionsQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let (from, to, limit) = SessionsQuery::read(query)?;
    let sessions =
        on_patient(&state, who, &id, move |h, _| h.sessions(from.as_deref(), to.as_deref(), limit).map(Some));
    Ok(Json(sessions.await?).into_response())
}

fn session_id(sid: &str) -> Result<i64, ApiError> {
    sid.parse().map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "a session id is a whole number"))
}

#[utoipa::path(get, path = "/api/patients/{id}/sessions/{sid}", summary = "One of a patient's sessions, with its timeline per stretch.",
    params(("id" = i64, Path, description = "patient id"), ("sid" = i64, Path, description = "the clinic's session id")),
    responses((status = 200, description = "session", body = crate::history::timeline::SessionDetail), PatientErrors))]
async fn session_by_id(
    State(state): State<ClinicState>,
    Extension(who): Extension<Who>,
    Path((id, sid)): Path<(String, String)>,
) -> Response {
    let sid = match session_id(&sid) {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    let catalog = state.catalog.clone();
    on_patient(&state, who, &id, move |h, _| crate::web::server::session_detail(h, sid, &catalog))
        .await
        .map(Json)
        .into_response()
}

#[utoipa::path(get, path = "/api/patients/{id}/shared", summary = "The uid of every session the clinic holds for a patient, with when it was last updated: what `share` need not send again.",
    params(("id" = i64, Path, description = "patient id")),
    responses((status = 200, description = "uid -> updated_at (RFC 3339 UTC)", body = std::collections::BTreeMap<String, String>), PatientErrors))]
async fn held(State(state): State<ClinicState>, Extension(who): Extension<Who>, Path(id): Path<String>) -> Response {
    on_patient(&state, who, &id, |h, _| h.held().map(Some)).await.map(Json).into_response()
}

/// The answer to a share.
#[derive(Serialize, Deserialize, utoipa::ToSchema)]
pub struct Shared {
    /// The clinic's id for the session.
    pub id: i64,
}

#[utoipa::path(put, path = "/api/patients/{id}/shared/{uid}", summary = "Stores a patient's session (summary and timeline, never a frame), or replaces the one with this uid: sharing twice stores it once. All or nothing.",
    params(("id" = i64, Path, description = "patient id"), ("uid" = String, Path, description = "the session's uid, as in the body")),
    request_body = SharedSession,
    responses((status = 200, description = "stored", body = Shared), PatientErrors, (status = 413, description = "Error", body = ErrorBody)))]
async fn share(
    State(state): State<ClinicState>,
    Extension(who): Extension<Who>,
    Path((id, uid)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Response {
    // Who may write here is settled before the body is read.
    if id.parse().is_ok_and(|id| !who.may_see(id)) {
        return error(StatusCode::FORBIDDEN, "this token may not write that patient's sessions");
    }
    let shared: SharedSession = match serde_json::from_slice(&body) {
        Ok(s) => s,
        Err(e) => return error(StatusCode::BAD_REQUEST, &format!("not a shared session: {e}")),
    };
    if shared.session.uid != uid {
        return error(StatusCode::BAD_REQUEST, "the uid in the path and in the body differ");
    }
    on_patient(&state, who, &id, move |h, _| h.put(&shared).map(Some))
        .await
        .map(|id| Json(Shared { id }))
        .into_response()
}

// --- Pages.

#[utoipa::path(get, path = "/", summary = "The patient list (clinician only): each patient's sessions, last session and adherence, linking to their progress.",
    responses((status = 200, description = "HTML page", body = String, content_type = "text/html"), (status = 401, description = "Error", body = ErrorBody),
        (status = 403, description = "Error", body = ErrorBody), (status = 503, description = "Error", body = ErrorBody)))]
async fn patients_page(State(state): State<ClinicState>, Extension(who): Extension<Who>, req: Request) -> Response {
    if let Err(e) = clinician_only(who) {
        return e.into_response();
    }
    let q = token_query(&req);
    on_clinic(&state, move |c| Ok(patient_list(&c.patients()?, &q))).await.map(Html).into_response()
}

fn patient_list(patients: &[Patient], q: &str) -> String {
    let patients = patients
        .iter()
        .map(|p| PatientRow {
            id: p.id,
            name: &p.name,
            revoked: p.revoked,
            sessions: p.sessions,
            last: p.last_session.as_deref().map(crate::history::local_time::minute).unwrap_or("\u{2013}".into()),
            days_last_7: p.days_last_7,
            days_last_28: p.days_last_28,
        })
        .collect();
    PatientsPage { patients, q }.render().expect("the patient list renders") + "\n"
}

/// `src/web/patients.html`
#[derive(askama::Template)]
#[template(path = "patients.html")]
struct PatientsPage<'a> {
    patients: Vec<PatientRow<'a>>,
    /// "" or "?token=...", carried by the links.
    q: &'a str,
}

struct PatientRow<'a> {
    id: i64,
    name: &'a str,
    revoked: bool,
    sessions: i64,
    last: String,
    days_last_7: i64,
    days_last_28: i64,
}

#[utoipa::path(get, path = "/patients/{id}", summary = "A patient's progress page: per stretch a table and progress charts, and their recent sessions (the same page as `serve`'s history).",
    params(("id" = i64, Path, description = "patient id")),
    responses((status = 200, description = "HTML page", body = String, content_type = "text/html"), PatientErrors))]
async fn progress_page(
    State(state): State<ClinicState>,
    Extension(who): Extension<Who>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let (q, catalog) = (token_query(&req), state.catalog.clone());
    on_patient(&state, who, &id, move |h, p| {
        let base = format!("/patients/{}", p.id);
        let at = Place { base: &base, q: &q, clinic: true, clinician: who == Who::Clinician };
        crate::web::history_page::history(h, &catalog, at, Some(&p.name)).map(Some)
    })
    .await
    .map(Html)
    .into_response()
}

#[utoipa::path(get, path = "/patients/{id}/sessions/{sid}", summary = "One of a patient's sessions: per stretch its key measure over time against the target band, and when each fault happened.",
    params(("id" = i64, Path, description = "patient id"), ("sid" = i64, Path, description = "the clinic's session id")),
    responses((status = 200, description = "HTML page", body = String, content_type = "text/html"), PatientErrors))]
async fn session_page(
    State(state): State<ClinicState>,
    Extension(who): Extension<Who>,
    Path((id, sid)): Path<(String, String)>,
    req: Request,
) -> Response {
    let sid = match session_id(&sid) {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    let (q, catalog) = (token_query(&req), state.catalog.clone());
    on_patient(&state, who, &id, move |h, p| {
        let base = format!("/patients/{}", p.id);
        let at = Place { base: &base, q: &q, clinic: true, clinician: who == Who::Clinician };
        Ok(crate::web::server::session_detail(h, sid, &catalog)?
            .map(|d| crate::web::history_page::session(&d.session, &d.timeline, at)))
    })
    .await
    .map(Html)
    .into_response()
}

#[utoipa::path(get, path = "/patients/{id}/report", summary = "A patient's report for the clinician: one self-contained printable page (the same as `stretchcoach report`).",
    params(("id" = i64, Path, description = "patient id"), ("from" = Option<String>, Query, format = Date, description = "first day (YYYY-MM-DD, a local day)"),
        ("to" = Option<String>, Query, format = Date, description = "last day, included (YYYY-MM-DD, a local day)")),
    responses((status = 200, description = "HTML page", body = String, content_type = "text/html"), PatientErrors))]
async fn report_page(
    State(state): State<ClinicState>,
    Extension(who): Extension<Who>,
    Path(id): Path<String>,
    query: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let q = ReportQuery::read(query)?;
    let catalog = state.catalog.clone();
    let html = on_patient(&state, who, &id, move |h, p| {
        // The report names whose it is.
        crate::web::report::render(h, &catalog, q.from.as_deref(), q.to.as_deref(), Some(&p.name)).map(Some)
    });
    Ok(Html(html.await?).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_healthz_is_public_and_every_error_is_documented() {
        let public: Vec<String> =
            table().into_iter().filter(|(p, _)| *p).flat_map(|(_, (_, paths, _))| paths.paths.into_keys()).collect();
        assert_eq!(public, ["/healthz"]);
        let doc = serde_json::to_value(openapi_document()).unwrap();
        for path in [
            "/api/patients",
            "/api/patients/{id}/sessions/{sid}",
            "/api/patients/{id}/shared/{uid}",
            "/patients/{id}/report",
        ] {
            assert!(doc["paths"][path].is_object(), "{path} is not documented");
        }
        for (path, ops) in doc["paths"].as_object().unwrap() {
            for (method, op) in ops.as_object().unwrap() {
                for (code, answer) in op["responses"].as_object().unwrap() {
                    if code.starts_with('4') || code.starts_with('5') {
                        let schema = &answer["content"]["application/json"]["schema"]["$ref"];
                        assert_eq!(schema, "#/components/schemas/Error", "{method} {path} {code}");
                    }
                }
                if path != "/healthz" {
                    assert!(op["responses"]["401"].is_object(), "{method} {path} does not say it needs a token");
                }
            }
        }
    }

    #[test]
    fn the_patient_list_escapes_names() {
        let p = Patient {
            id: 3,
            name: "<b>Ann</b>".into(),
            added_at: "2026-12-01T00:00:00Z".into(),
            revoked: false,
            sessions: 2,
            last_session: Some("2026-12-03T08:00:00Z".into()),
            days_last_7: 2,
            days_last_28: 2,
        };
        let html = patient_list(&[p], "?token=a&b");
        assert!(html.contains("&#60;b&#62;Ann&#60;/b&#62;") && !html.contains("<b>Ann"), "{html}");
        assert!(html.contains(r#"href="/patients/3?token=a&#38;b""#), "{html}");
        assert!(html.contains(&crate::history::local_time::minute("2026-12-03T08:00:00Z")));
    }
}
