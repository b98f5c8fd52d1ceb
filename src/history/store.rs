//! The session history in SQLite: one row per session, one per stretch done in it. Written while the
//! session goes (every few seconds), in WAL mode, so a crash or `kill -9` loses at most the last seconds.
//! The schema is versioned with `PRAGMA user_version` and migrated forward on open.
//!
//! [`History`] is what every history store answers; this SQLite file (one person) and a clinic's
//! PostgreSQL database ([`postgres`], one patient's part of it) both implement it, and one set of tests
//! runs against both.

pub mod postgres;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};
use rusqlite_migration::{Migrations, M};
use serde::{Deserialize, Serialize};

use crate::coaching::session::Summary;
use crate::history::timeline::Sample;

/// Schema migrations, in order, applied by rusqlite_migration; `user_version` is how many have been applied.
const MIGRATIONS: &[&str] = &[
    // 1: the first release.
    "CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,          -- RFC 3339, UTC
        updated_at TEXT NOT NULL,
        ended_at TEXT,                     -- null while running, or if the program died
        source TEXT NOT NULL,
        routine TEXT,
        frames INTEGER NOT NULL DEFAULT 0,
        duration_s REAL NOT NULL DEFAULT 0
    );
    CREATE TABLE stretches (
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        exercise TEXT NOT NULL,
        name TEXT NOT NULL,
        frames INTEGER NOT NULL,
        reps INTEGER NOT NULL,
        rep_target INTEGER,
        held_seconds REAL NOT NULL,
        left_held REAL, right_held REAL, left_reps INTEGER, right_reps INTEGER,
        form_score REAL,
        done INTEGER NOT NULL,
        faults TEXT NOT NULL,              -- JSON object: fault id -> times prompted
        PRIMARY KEY (session_id, position)
    );
    CREATE INDEX sessions_started ON sessions(started_at);",
    // 2: the session timeline, about one row a second (see crate::history::timeline): when each fault happened.
    "CREATE TABLE timeline (
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        t REAL NOT NULL,                   -- seconds since the session's first frame
        exercise TEXT NOT NULL,
        phase TEXT,                        -- up, down, or null (a hold has none)
        reps INTEGER NOT NULL,
        measures TEXT NOT NULL,            -- JSON object: check id -> value (null: not seen)
        faults TEXT NOT NULL,              -- active fault ids, comma-separated
        PRIMARY KEY (session_id, t)
    ) WITHOUT ROWID;",
    // 3: reps count only in good form; the others are kept apart, by the fault that spoilt them.
    "ALTER TABLE stretches ADD COLUMN faulty_reps TEXT NOT NULL DEFAULT '{}'; -- JSON object: fault id -> reps",
    // 4: a session's id that stays the same wherever it is copied (sharing it with a clinic twice stores it once).
    "ALTER TABLE sessions ADD COLUMN uid TEXT;
    UPDATE sessions SET uid = lower(hex(randomblob(16)));
    CREATE UNIQUE INDEX sessions_uid ON sessions(uid);",
];

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("session database {}: {source}", path.display())]
    Sqlite { path: PathBuf, source: rusqlite::Error },
    #[error("session database {}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("session database {}: could not bring it up to date: {source}", path.display())]
    SqliteMigration { path: PathBuf, source: rusqlite_migration::Error },
    #[error("session database {} has schema version {found}, newer than this program knows ({known}); use a newer stretchcoach", path.display())]
    TooNew { path: PathBuf, found: i64, known: i64 },
    #[error("clinic database: {0}")]
    Postgres(#[from] ::postgres::Error),
    #[error("clinic database unreachable: {0}")]
    Unreachable(#[from] r2d2::Error),
    #[error("clinic database schema: {0}")]
    Migration(#[from] refinery::Error),
    #[error("{0}")]
    Invalid(String),
}

/// What every history store answers: the sessions, each one's timeline, and per-day figures, read the
/// same way whichever database holds them; and a session brought in from elsewhere, stored by its uid.
pub trait History {
    /// Sessions started in [from, to) (RFC 3339 or date prefixes, UTC), newest first, at most `limit`.
    fn sessions(&self, from: Option<&str>, to: Option<&str>, limit: u32) -> Result<Vec<StoredSession>, StoreError>;
    fn session(&self, id: i64) -> Result<Option<StoredSession>, StoreError>;
    /// A session's timeline, oldest first (empty for sessions saved before timelines were kept).
    fn timeline(&self, id: i64) -> Result<Vec<Sample>, StoreError>;
    /// Per-day figures of the sessions started in [from, to), optionally for one stretch, oldest first.
    fn progress_between(
        &self,
        exercise: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Vec<DayFigures>, StoreError> {
        Ok(per_day(&self.sessions(from, to, u32::MAX)?, exercise))
    }
    /// Stores a session from elsewhere, in one transaction, replacing the one with the same uid: storing
    /// it twice stores it once. Its `id` is ignored; the stored id is returned.
    fn put(&mut self, shared: &SharedSession) -> Result<i64, StoreError>;
    /// Every stored session's uid, with when it was last updated (what a share need not send again).
    fn held(&self) -> Result<BTreeMap<String, String>, StoreError>;

    /// Per-day figures, optionally for one stretch, oldest first.
    fn progress(&self, exercise: Option<&str>) -> Result<Vec<DayFigures>, StoreError> {
        self.progress_between(exercise, None, None)
    }

    /// A session with its timeline, as it is shared.
    fn shared(&self, id: i64) -> Result<Option<SharedSession>, StoreError> {
        let Some(session) = self.session(id)? else { return Ok(None) };
        Ok(Some(SharedSession { timeline: self.timeline(id)?, session }))
    }
}

/// A session as it leaves the machine it was done on: its figures and its timeline, never a frame.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct SharedSession {
    pub session: StoredSession,
    pub timeline: Vec<Sample>,
}

impl SharedSession {
    /// What a store must refuse: no uid, times that are not RFC 3339 UTC, counts out of range.
    pub fn validate(&self) -> Result<(), StoreError> {
        let s = &self.session;
        let bad = |what: &str| Err(StoreError::Invalid(format!("shared session {:?}: {what}", s.uid)));
        if s.uid.is_empty() || s.uid.len() > 64 || !s.uid.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return bad("the uid must be 1 to 64 letters, digits or dashes");
        }
        let times = [Some(&s.started_at), Some(&s.updated_at), s.ended_at.as_ref()];
        if !times.into_iter().flatten().all(|t| is_utc_time(t)) {
            return bad("times must be RFC 3339 in UTC (YYYY-MM-DDTHH:MM:SSZ)");
        }
        if s.frames < 0 || !(s.duration_s.is_finite() && s.duration_s >= 0.0) {
            return bad("frames and duration must be positive");
        }
        if self.timeline.iter().any(|x| !x.t.is_finite()) {
            return bad("timeline times must be numbers");
        }
        Ok(())
    }
}

/// Per-day figures for charts, from the sessions (the same sums whichever store they came from): per local
/// day (the time zone the program runs in) and stretch, the sessions, good and faulty reps and seconds held summed, the form score averaged
/// over the sessions that have one. Oldest first.
pub fn per_day(sessions: &[StoredSession], exercise: Option<&str>) -> Vec<DayFigures> {
    let mut days: BTreeMap<(String, &str), (DayFigures, f64, u32)> = BTreeMap::new();
    for s in sessions {
        let day = crate::history::local_time::day(&s.started_at);
        let mut seen = std::collections::BTreeSet::new();
        for t in s.stretches.iter().filter(|t| exercise.is_none_or(|e| e == t.exercise)) {
            let (d, form_sum, form_n) = days.entry((day.clone(), &t.exercise)).or_insert_with(|| {
                let figures = DayFigures {
                    day: day.clone(),
                    exercise: t.exercise.clone(),
                    sessions: 0,
                    reps: 0,
                    faulty_reps: 0,
                    held_seconds: 0.0,
                    form_score: None,
                };
                (figures, 0.0, 0)
            });
            // A session that did a stretch twice (a routine repeated) is one session of it.
            if seen.insert(&t.exercise) {
                d.sessions += 1;
            }
            d.reps += t.reps;
            d.faulty_reps += t.faulty_reps.values().map(|&n| i64::from(n)).sum::<i64>();
            d.held_seconds += t.held_seconds;
            if let Some(f) = t.form_score {
                *form_sum += f;
                *form_n += 1;
            }
        }
    }
    days.into_values()
        .map(|(mut d, sum, n)| {
            d.form_score = (n > 0).then(|| sum / f64::from(n));
            d
        })
        .collect()
}

/// `YYYY-MM-DDTHH:MM:SSZ`, as every store writes its times.
pub fn is_utc_time(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

/// The schema version; a file from a newer release is refused before anything is written to it.
fn check_version(conn: &Connection, path: &Path) -> Result<i64, StoreError> {
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|source| StoreError::Sqlite { path: path.to_path_buf(), source })?;
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Err(StoreError::TooNew { path: path.to_path_buf(), found: version, known });
    }
    Ok(version)
}

fn is_read_only(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly)
}

/// The characters a path may not carry literally in an SQLite URI.
fn uri_escape(path: &str) -> String {
    path.chars()
        .map(|c| match c {
            '%' => "%25".into(),
            '?' => "%3f".into(),
            '#' => "%23".into(),
            c => c.to_string(),
        })
        .collect()
}

/// Where the history lives unless `--db` says otherwise: `$XDG_DATA_HOME/stretchcoach/sessions.db`,
/// else `~/.local/share/stretchcoach/sessions.db`.
pub fn default_path() -> PathBuf {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("stretchcoach").join("sessions.db")
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// One stretch of a stored session.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct StoredStretch {
    pub exercise: String,
    pub name: String,
    pub frames: i64,
    pub reps: i64,
    pub rep_target: Option<i64>,
    pub held_seconds: f64,
    pub left_held: Option<f64>,
    pub right_held: Option<f64>,
    pub left_reps: Option<i64>,
    pub right_reps: Option<i64>,
    pub form_score: Option<f64>,
    pub done: bool,
    pub faults: BTreeMap<String, u32>,
    /// Reps that did not count, by fault (sessions from before schema 3 have none).
    #[serde(default)]
    pub faulty_reps: BTreeMap<String, u32>,
}

impl From<&crate::coaching::session::StretchSummary> for StoredStretch {
    fn from(s: &crate::coaching::session::StretchSummary) -> StoredStretch {
        let f = &s.figures;
        let side = |i: usize| f.sides.map(|sd| sd[i]);
        StoredStretch {
            exercise: f.exercise.clone(),
            name: f.name.clone(),
            frames: s.frames as i64,
            reps: f.reps as i64,
            rep_target: f.rep_target.map(i64::from),
            held_seconds: f.held_seconds,
            left_held: side(0).map(|p| p.held),
            right_held: side(1).map(|p| p.held),
            left_reps: side(0).map(|p| p.reps as i64),
            right_reps: side(1).map(|p| p.reps as i64),
            form_score: f.form_score,
            done: s.done,
            faults: f.faults.clone(),
            faulty_reps: f.faulty_reps.clone(),
        }
    }
}

/// A stored session.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct StoredSession {
    /// This store's id for it.
    pub id: i64,
    /// The same wherever the session is copied (the history it was recorded in, a clinic).
    pub uid: String,
    pub started_at: String,
    pub updated_at: String,
    pub ended_at: Option<String>,
    pub source: String,
    pub routine: Option<String>,
    pub frames: i64,
    pub duration_s: f64,
    pub stretches: Vec<StoredStretch>,
}

/// One day's figures for one stretch (for charts).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct DayFigures {
    pub day: String,
    pub exercise: String,
    pub sessions: i64,
    /// Reps in good form.
    pub reps: i64,
    /// Reps that did not count (a fault was told in them).
    pub faulty_reps: i64,
    pub held_seconds: f64,
    /// Mean form score of the day's sessions that have one.
    pub form_score: Option<f64>,
}

/// The current time as SQLite writes it: RFC 3339, UTC, to the second.
const NOW_SQL: &str = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')";

/// Howard Hinnant's days-to-civil algorithm (for chart dates).
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + (m <= 2) as i64, m, d)
}

impl Store {
    /// Opens (creating if needed) and migrates the database at `path`. A file the user may read but not
    /// write (a read-only folder, file or mount) is opened read-only: the history can still be shown, and
    /// saving fails with SQLite's own "readonly database" error, which the recorder reports.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        match Store::open_writable(path) {
            Err(StoreError::Sqlite { source, .. }) if is_read_only(&source) => Store::open_read_only(path),
            other => other,
        }
    }

    fn open_writable(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Io { path: path.to_path_buf(), source })?;
        }
        let sql = |source| StoreError::Sqlite { path: path.to_path_buf(), source };
        let mut conn = Connection::open(path).map_err(sql)?;
        conn.busy_timeout(std::time::Duration::from_secs(2)).map_err(sql)?;
        let version = check_version(&conn, path)?;
        // WAL: readers (the API) never block the writer, and a crash keeps every committed write.
        // A read-only file cannot switch journal mode; it is still readable, so that is not fatal.
        let _ = conn.pragma_update(None, "journal_mode", "WAL");
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(sql)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(sql)?;
        if version < MIGRATIONS.len() as i64 {
            // All that are missing, in one transaction.
            let migrations = Migrations::new(MIGRATIONS.iter().map(|m| M::up(m)).collect());
            migrations
                .to_latest(&mut conn)
                .map_err(|source| StoreError::SqliteMigration { path: path.to_path_buf(), source })?;
        }
        Ok(Store { conn, path: path.to_path_buf() })
    }

    /// A WAL database in a folder we cannot write has no shared-memory file to coordinate readers through;
    /// SQLite can still read it as "immutable" (no locks), which is right when no one here can write it.
    fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        use rusqlite::OpenFlags;
        let sql = |source| StoreError::Sqlite { path: path.to_path_buf(), source };
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let absolute =
            std::path::absolute(path).map_err(|source| StoreError::Io { path: path.to_path_buf(), source })?;
        let uri = format!("file:{}?immutable=1", uri_escape(&absolute.to_string_lossy()));
        let conn = Connection::open_with_flags(uri, flags).map_err(sql)?;
        if check_version(&conn, path)? < MIGRATIONS.len() as i64 {
            // An older schema would need migrating, which cannot be done here.
            return Err(sql(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_READONLY),
                Some("read-only, and from an older release: open it once where it can be written".into()),
            )));
        }
        Ok(Store { conn, path: path.to_path_buf() })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite { path: self.path.clone(), source }
    }

    /// Starts a session row; returns its id.
    pub fn begin(&mut self, source: &str, routine: Option<&str>) -> Result<i64, StoreError> {
        let now: String =
            self.conn.query_row(&format!("SELECT {NOW_SQL}"), [], |r| r.get(0)).map_err(|e| self.err(e))?;
        self.begin_at(source, routine, &now)
    }

    /// Starts a session row dated `started_at` (RFC 3339, UTC): for sessions brought in from elsewhere.
    pub fn begin_at(&mut self, source: &str, routine: Option<&str>, started_at: &str) -> Result<i64, StoreError> {
        let now = started_at;
        self.conn
            .execute(
                "INSERT INTO sessions (uid, started_at, updated_at, source, routine)
                 VALUES (lower(hex(randomblob(16))), ?1, ?1, ?2, ?3)",
                params![now, source, routine],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Writes the session's figures so far (all in one transaction); `ended` closes it.
    pub fn save(&mut self, id: i64, summary: &Summary, ended: bool) -> Result<(), StoreError> {
        self.save_with_timeline(id, summary, ended, &[])
    }

    /// [`Store::save`], adding timeline samples in the same transaction.
    pub fn save_with_timeline(
        &mut self,
        id: i64,
        summary: &Summary,
        ended: bool,
        samples: &[Sample],
    ) -> Result<(), StoreError> {
        let path = self.path.clone();
        let sql = |source| StoreError::Sqlite { path: path.clone(), source };
        let tx = self.conn.transaction().map_err(sql)?;
        tx.execute(
            &format!(
                "UPDATE sessions SET updated_at = {NOW_SQL}, ended_at = CASE WHEN ?2 THEN {NOW_SQL} ELSE ended_at END,
                 frames = ?3, duration_s = ?4 WHERE id = ?1"
            ),
            params![id, ended, summary.frames as i64, summary.duration_s],
        )
        .map_err(sql)?;
        let stretches: Vec<StoredStretch> = summary.stretches.iter().map(StoredStretch::from).collect();
        write_rows(&tx, id, &stretches, samples).map_err(sql)?;
        tx.commit().map_err(sql)
    }

    fn stretches_of(&self, id: i64) -> Result<Vec<StoredStretch>, StoreError> {
        let mut st = self
            .conn
            .prepare(
                "SELECT exercise, name, frames, reps, rep_target, held_seconds, left_held, right_held, left_reps,
                 right_reps, form_score, done, faults, faulty_reps FROM stretches WHERE session_id = ?1 ORDER BY position",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params![id], |r| {
                let faults: String = r.get(12)?;
                let faulty_reps: String = r.get(13)?;
                Ok(StoredStretch {
                    exercise: r.get(0)?,
                    name: r.get(1)?,
                    frames: r.get(2)?,
                    reps: r.get(3)?,
                    rep_target: r.get(4)?,
                    held_seconds: r.get(5)?,
                    left_held: r.get(6)?,
                    right_held: r.get(7)?,
                    left_reps: r.get(8)?,
                    right_reps: r.get(9)?,
                    form_score: r.get(10)?,
                    done: r.get(11)?,
                    faults: serde_json::from_str(&faults).unwrap_or_default(),
                    faulty_reps: serde_json::from_str(&faulty_reps).unwrap_or_default(),
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    fn session_row(r: &rusqlite::Row) -> rusqlite::Result<StoredSession> {
        Ok(StoredSession {
            id: r.get(0)?,
            uid: r.get(1)?,
            started_at: r.get(2)?,
            updated_at: r.get(3)?,
            ended_at: r.get(4)?,
            source: r.get(5)?,
            routine: r.get(6)?,
            frames: r.get(7)?,
            duration_s: r.get(8)?,
            stretches: Vec::new(),
        })
    }
}

/// A session's stretches (replacing those it had) and new timeline samples, inside the caller's transaction.
fn write_rows(
    tx: &rusqlite::Transaction,
    id: i64,
    stretches: &[StoredStretch],
    samples: &[Sample],
) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM stretches WHERE session_id = ?1", params![id])?;
    for (position, s) in stretches.iter().enumerate() {
        tx.execute(
            "INSERT INTO stretches (session_id, position, exercise, name, frames, reps, rep_target, held_seconds,
             left_held, right_held, left_reps, right_reps, form_score, done, faults, faulty_reps)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            params![
                id,
                position as i64,
                s.exercise,
                s.name,
                s.frames,
                s.reps,
                s.rep_target,
                s.held_seconds,
                s.left_held,
                s.right_held,
                s.left_reps,
                s.right_reps,
                s.form_score,
                s.done,
                serde_json::to_string(&s.faults).expect("faults serialise"),
                serde_json::to_string(&s.faulty_reps).expect("faulty reps serialise"),
            ],
        )?;
    }
    for x in samples {
        tx.execute(
            "INSERT OR REPLACE INTO timeline (session_id, t, exercise, phase, reps, measures, faults)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                id,
                x.t,
                x.exercise,
                x.phase,
                x.reps as i64,
                serde_json::to_string(&x.measures).expect("measures serialise"),
                x.faults.join(","),
            ],
        )?;
    }
    Ok(())
}

const SESSION_COLUMNS: &str = "id, uid, started_at, updated_at, ended_at, source, routine, frames, duration_s";

impl History for Store {
    fn timeline(&self, id: i64) -> Result<Vec<Sample>, StoreError> {
        let mut st = self
            .conn
            .prepare("SELECT t, exercise, phase, reps, measures, faults FROM timeline WHERE session_id = ?1 ORDER BY t")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params![id], |r| {
                let measures: String = r.get(4)?;
                let faults: String = r.get(5)?;
                Ok(Sample {
                    t: r.get(0)?,
                    exercise: r.get(1)?,
                    phase: r.get(2)?,
                    reps: r.get::<_, i64>(3)? as u32,
                    measures: serde_json::from_str(&measures).unwrap_or_default(),
                    faults: faults.split(',').filter(|f| !f.is_empty()).map(String::from).collect(),
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    fn sessions(&self, from: Option<&str>, to: Option<&str>, limit: u32) -> Result<Vec<StoredSession>, StoreError> {
        let mut st = self
            .conn
            .prepare(&format!(
                "SELECT {SESSION_COLUMNS} FROM sessions
                 WHERE (?1 IS NULL OR started_at >= ?1) AND (?2 IS NULL OR started_at < ?2)
                 ORDER BY started_at DESC, id DESC LIMIT ?3"
            ))
            .map_err(|e| self.err(e))?;
        let rows = st.query_map(params![from, to, limit], Self::session_row).map_err(|e| self.err(e))?;
        let mut out: Vec<StoredSession> = rows.collect::<Result<_, _>>().map_err(|e| self.err(e))?;
        for s in &mut out {
            s.stretches = self.stretches_of(s.id)?;
        }
        Ok(out)
    }

    fn session(&self, id: i64) -> Result<Option<StoredSession>, StoreError> {
        let row = self
            .conn
            .query_row(&format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?1"), params![id], Self::session_row)
            .optional()
            .map_err(|e| self.err(e))?;
        match row {
            Some(mut s) => {
                s.stretches = self.stretches_of(id)?;
                Ok(Some(s))
            }
            None => Ok(None),
        }
    }

    fn put(&mut self, shared: &SharedSession) -> Result<i64, StoreError> {
        shared.validate()?;
        let path = self.path.clone();
        let sql = |source| StoreError::Sqlite { path: path.clone(), source };
        let s = &shared.session;
        let tx = self.conn.transaction().map_err(sql)?;
        let id: i64 = tx
            .query_row(
                "INSERT INTO sessions (uid, started_at, updated_at, ended_at, source, routine, frames, duration_s)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (uid) DO UPDATE SET started_at = excluded.started_at, updated_at = excluded.updated_at,
                 ended_at = excluded.ended_at, source = excluded.source, routine = excluded.routine,
                 frames = excluded.frames, duration_s = excluded.duration_s
                 RETURNING id",
                params![s.uid, s.started_at, s.updated_at, s.ended_at, s.source, s.routine, s.frames, s.duration_s],
                |r| r.get(0),
            )
            .map_err(sql)?;
        tx.execute("DELETE FROM timeline WHERE session_id = ?1", params![id]).map_err(sql)?;
        write_rows(&tx, id, &s.stretches, &shared.timeline).map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok(id)
    }

    fn held(&self) -> Result<BTreeMap<String, String>, StoreError> {
        let mut st = self.conn.prepare("SELECT uid, updated_at FROM sessions").map_err(|e| self.err(e))?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(20_786), (2026, 11, 29));
    }

    /// An empty folder for one test, named by the process id: one left by an earlier run whose process had the
    /// same id (its databases and their write-ahead logs) is emptied first.
    fn scratch_dir(tag: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("stretchcoach-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_first_release_database_is_migrated_forward_and_keeps_its_sessions() {
        let dir = scratch_dir("migrate");
        let path = dir.join("v1.db");
        {
            let c = Connection::open(&path).unwrap();
            c.execute_batch(MIGRATIONS[0]).unwrap();
            c.pragma_update(None, "user_version", 1).unwrap();
            c.execute("INSERT INTO sessions (started_at, updated_at, source) VALUES ('2026-01-02T03:04:05Z', '2026-01-02T03:04:05Z', 'camera 0')", []).unwrap();
        }
        let store = Store::open(&path).unwrap();
        let version: i64 = store.conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        assert_eq!(store.sessions(None, None, 10).unwrap().len(), 1);
        assert!(store.timeline(1).unwrap().is_empty(), "an old session has an empty timeline");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn sessions_are_dated_now_in_rfc3339_utc() {
        let dir = scratch_dir("times");
        let mut store = Store::open(&dir.join("t.db")).unwrap();
        let id = store.begin("camera 0", None).unwrap();
        let summary =
            crate::coaching::session::Session::with_plan(crate::coaching::session::Plan::Auto(Vec::new())).summary();
        store.save(id, &summary, true).unwrap();
        let s = store.session(id).unwrap().unwrap();
        let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
        let (y, m, d) = civil_from_days(secs / 86_400);
        for t in [&s.started_at, &s.updated_at, s.ended_at.as_ref().unwrap()] {
            assert_eq!(t.len(), 20, "{t}");
            assert!(t.ends_with('Z') && &t[10..11] == "T", "{t}");
            // Today (a run just before midnight UTC may see the start on the day before).
            let today = format!("{y:04}-{m:02}-{d:02}");
            assert!(t[..10] == today || secs % 86_400 < 5, "{t} is not today ({today})");
        }
        assert!(s.ended_at.as_ref().unwrap() >= &s.started_at);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn paths_are_escaped_for_sqlite_uris() {
        assert_eq!(uri_escape("/home/a b/100%?#.db"), "/home/a b/100%25%3f%23.db");
    }
}
