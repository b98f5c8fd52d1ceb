//! A clinic's history in PostgreSQL: many patients, one row per shared session (its stretches and its
//! timeline as JSON), unique per (patient, uid) so that sharing is an upsert. The schema is refinery's
//! migrations in `migrations/clinic/`, applied at start. Connections come from a pool that replaces a
//! broken one on checkout, so the clinic rides out a database restart.

use std::collections::BTreeMap;
use std::time::Duration;

use r2d2_postgres::postgres::{self, NoTls};
use r2d2_postgres::PostgresConnectionManager;

use super::{History, SharedSession, StoreError, StoredSession};
use crate::history::timeline::Sample;

mod embedded {
    refinery::embed_migrations!("migrations/clinic");
}

type Inner = r2d2::Pool<PostgresConnectionManager<NoTls>>;

/// The pool of connections. `postgres`' client closes itself by blocking on a runtime of its own, which
/// panics on a thread that runs async tasks (where the server's last handle is dropped when it stops);
/// so the pool's last handle is dropped on a thread of its own.
#[derive(Clone)]
pub struct Pool(std::sync::Arc<LastHandle>);

struct LastHandle(Option<Inner>);

impl Drop for LastHandle {
    fn drop(&mut self) {
        if let Some(pool) = self.0.take() {
            if tokio::runtime::Handle::try_current().is_ok() {
                let _ = std::thread::spawn(move || drop(pool)).join();
            }
        }
    }
}

impl std::ops::Deref for Pool {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        self.0 .0.as_ref().expect("dropped only with the last handle")
    }
}

/// How long a request waits for a connection (the database down: an error, not a hang).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Connects a pool of at most `size` connections to `url` (`postgres://USER@HOST/DB`), in UTC, and
/// brings the schema up to date.
pub fn connect(url: &str, size: u32) -> Result<Pool, StoreError> {
    let mut config: postgres::Config = url.parse()?;
    config.options("-c TimeZone=UTC").application_name("stretchcoach clinic").connect_timeout(CONNECT_TIMEOUT);
    let pool = r2d2::Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .connection_timeout(CONNECT_TIMEOUT)
        .error_handler(Box::new(r2d2::NopErrorHandler))
        .build(PostgresConnectionManager::new(config, NoTls))?;
    embedded::migrations::runner().run(&mut *pool.get()?)?;
    Ok(Pool(std::sync::Arc::new(LastHandle(Some(pool)))))
}

/// An RFC 3339 UTC time as every store writes it, from a `timestamptz` column.
macro_rules! utc {
    ($col:literal) => {
        concat!("to_char(", $col, r#", 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"#)
    };
}

const SESSION_COLUMNS: &str = concat!(
    "id, uid, ",
    utc!("started_at"),
    ", ",
    utc!("updated_at"),
    ", ",
    utc!("ended_at"),
    ", source, routine, frames, duration_s, stretches::text"
);

/// One patient's part of the clinic's database: every read and write is of this patient's sessions only.
#[derive(Clone)]
pub struct PatientHistory {
    pub pool: Pool,
    pub patient: i64,
}

fn session_row(r: &postgres::Row) -> Result<StoredSession, StoreError> {
    let stretches: String = r.try_get(9)?;
    Ok(StoredSession {
        id: r.try_get(0)?,
        uid: r.try_get(1)?,
        started_at: r.try_get(2)?,
        updated_at: r.try_get(3)?,
        ended_at: r.try_get(4)?,
        source: r.try_get(5)?,
        routine: r.try_get(6)?,
        frames: r.try_get(7)?,
        duration_s: r.try_get(8)?,
        stretches: serde_json::from_str(&stretches)
            .map_err(|e| StoreError::Invalid(format!("stored stretches of session {}: {e}", r.get::<_, i64>(0))))?,
    })
}

impl History for PatientHistory {
    fn sessions(&self, from: Option<&str>, to: Option<&str>, limit: u32) -> Result<Vec<StoredSession>, StoreError> {
        let rows = self.pool.get()?.query(
            &format!(
                "SELECT {SESSION_COLUMNS} FROM sessions WHERE patient_id = $1
                 AND ($2::text IS NULL OR started_at >= $2::text::timestamptz)
                 AND ($3::text IS NULL OR started_at < $3::text::timestamptz)
                 ORDER BY started_at DESC, id DESC LIMIT $4"
            ),
            &[&self.patient, &from, &to, &i64::from(limit)],
        )?;
        rows.iter().map(session_row).collect()
    }

    fn session(&self, id: i64) -> Result<Option<StoredSession>, StoreError> {
        let row = self.pool.get()?.query_opt(
            &format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE patient_id = $1 AND id = $2"),
            &[&self.patient, &id],
        )?;
        row.as_ref().map(session_row).transpose()
    }

    fn timeline(&self, id: i64) -> Result<Vec<Sample>, StoreError> {
        let row = self.pool.get()?.query_opt(
            "SELECT timeline::text FROM sessions WHERE patient_id = $1 AND id = $2",
            &[&self.patient, &id],
        )?;
        match row {
            None => Ok(Vec::new()),
            Some(r) => serde_json::from_str(r.try_get::<_, &str>(0)?)
                .map_err(|e| StoreError::Invalid(format!("stored timeline of session {id}: {e}"))),
        }
    }

    /// One statement: a share cut off at any point stores the whole session or none of it.
    fn put(&mut self, shared: &SharedSession) -> Result<i64, StoreError> {
        shared.validate()?;
        let s = &shared.session;
        let stretches = serde_json::to_string(&s.stretches).expect("stretches serialise");
        let timeline = serde_json::to_string(&shared.timeline).expect("timeline serialises");
        let row = self.pool.get()?.query_one(
            "INSERT INTO sessions (patient_id, uid, started_at, updated_at, ended_at, source, routine, frames,
             duration_s, stretches, timeline)
             VALUES ($1, $2, $3::text::timestamptz, $4::text::timestamptz, $5::text::timestamptz, $6, $7, $8, $9,
             $10::text::jsonb, $11::text::jsonb)
             ON CONFLICT (patient_id, uid) DO UPDATE SET started_at = excluded.started_at,
             updated_at = excluded.updated_at, ended_at = excluded.ended_at, source = excluded.source,
             routine = excluded.routine, frames = excluded.frames, duration_s = excluded.duration_s,
             stretches = excluded.stretches, timeline = excluded.timeline, shared_at = now()
             RETURNING id",
            &[
                &self.patient,
                &s.uid,
                &s.started_at,
                &s.updated_at,
                &s.ended_at,
                &s.source,
                &s.routine,
                &s.frames,
                &s.duration_s,
                &stretches,
                &timeline,
            ],
        )?;
        Ok(row.try_get(0)?)
    }

    fn held(&self) -> Result<BTreeMap<String, String>, StoreError> {
        let rows = self.pool.get()?.query(
            concat!("SELECT uid, ", utc!("updated_at"), " FROM sessions WHERE patient_id = $1"),
            &[&self.patient],
        )?;
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
    }
}
