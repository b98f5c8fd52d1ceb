//! The clinic: a physiotherapist's server that their patients' coaches share session summaries with
//! (never a frame). Patients and tokens live in PostgreSQL beside the sessions ([`crate::history::store::postgres`]);
//! the clinician's token reads everything, a patient's token reads and writes that patient's sessions only.

pub mod server;
pub mod share;
pub mod tokens;

use serde::{Deserialize, Serialize};

use crate::history::store::postgres::{self, PatientHistory, Pool};
use crate::history::store::StoreError;

/// Who a token belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Who {
    Clinician,
    Patient(i64),
}

impl Who {
    /// Whether this holder may read and write patient `id`'s sessions.
    pub fn may_see(self, id: i64) -> bool {
        self == Who::Clinician || self == Who::Patient(id)
    }
}

/// A patient, with their adherence: how many days they stretched lately.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct Patient {
    pub id: i64,
    pub name: String,
    /// When they were added (RFC 3339, UTC).
    pub added_at: String,
    /// No token of theirs is valid (revoked); their sessions are kept.
    pub revoked: bool,
    pub sessions: i64,
    /// When their last session started (RFC 3339, UTC).
    pub last_session: Option<String>,
    /// Days with a session in the last 7 days (today included).
    pub days_last_7: i64,
    /// Days with a session in the last 28 days.
    pub days_last_28: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum ClinicError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("a patient's name is 1 to 100 characters, not only spaces")]
    BadName,
    #[error("there is already a patient called {0:?} (to give them a new token: `clinic revoke {0:?}`, then `clinic add-patient {0:?}` again)")]
    Exists(String),
    #[error("no patient called {0:?} (`clinic patients` lists them)")]
    NoSuchPatient(String),
}

impl From<::postgres::Error> for ClinicError {
    fn from(e: ::postgres::Error) -> ClinicError {
        ClinicError::Store(e.into())
    }
}

impl From<r2d2::Error> for ClinicError {
    fn from(e: r2d2::Error) -> ClinicError {
        ClinicError::Store(e.into())
    }
}

/// The clinic's database.
#[derive(Clone)]
pub struct Clinic {
    pool: Pool,
}

const PATIENT_COLUMNS: &str = r#"p.id, p.name, to_char(p.created_at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
    NOT EXISTS (SELECT 1 FROM tokens k WHERE k.patient_id = p.id AND k.revoked_at IS NULL),
    (SELECT count(*) FROM sessions s WHERE s.patient_id = p.id),
    (SELECT to_char(max(s.started_at), 'YYYY-MM-DD"T"HH24:MI:SS"Z"') FROM sessions s WHERE s.patient_id = p.id),
    (SELECT count(DISTINCT s.started_at::date) FROM sessions s
        WHERE s.patient_id = p.id AND s.started_at >= current_date - 6),
    (SELECT count(DISTINCT s.started_at::date) FROM sessions s
        WHERE s.patient_id = p.id AND s.started_at >= current_date - 27)"#;

fn patient_row(r: &::postgres::Row) -> Result<Patient, ClinicError> {
    Ok(Patient {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        added_at: r.try_get(2)?,
        revoked: r.try_get(3)?,
        sessions: r.try_get(4)?,
        last_session: r.try_get(5)?,
        days_last_7: r.try_get(6)?,
        days_last_28: r.try_get(7)?,
    })
}

impl Clinic {
    /// Connects to `url` and brings the schema up to date.
    pub fn open(url: &str) -> Result<Clinic, ClinicError> {
        Ok(Clinic { pool: postgres::connect(url, 8)? })
    }

    /// One patient's sessions.
    pub fn history(&self, patient: i64) -> PatientHistory {
        PatientHistory { pool: self.pool.clone(), patient }
    }

    /// Adds a patient; returns them and their token (shown once: only its hash is kept). A revoked
    /// patient gets a new token and keeps their sessions.
    pub fn add_patient(&self, name: &str) -> Result<(Patient, String), ClinicError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(ClinicError::BadName);
        }
        let mut conn = self.pool.get()?;
        let mut tx = conn.transaction()?;
        let existing =
            tx.query_opt(&format!("SELECT {PATIENT_COLUMNS} FROM patients p WHERE p.name = $1"), &[&name])?;
        let id: i64 = match existing.as_ref().map(patient_row).transpose()? {
            Some(p) if !p.revoked => return Err(ClinicError::Exists(name.into())),
            Some(p) => p.id,
            None => tx.query_one("INSERT INTO patients (name) VALUES ($1) RETURNING id", &[&name])?.try_get(0)?,
        };
        let t = tokens::issue();
        tx.execute(
            "INSERT INTO tokens (id, patient_id, salt, hash) VALUES ($1, $2, $3, $4)",
            &[&t.id, &id, &t.salt.as_slice(), &t.hash.as_slice()],
        )?;
        tx.commit()?;
        let patient = self.patient(id)?.expect("added above");
        Ok((patient, t.token))
    }

    /// Revokes every token of the patient called `name`; their sessions are kept.
    pub fn revoke(&self, name: &str) -> Result<Patient, ClinicError> {
        let mut conn = self.pool.get()?;
        let row = conn.query_opt("SELECT id FROM patients WHERE name = $1", &[&name.trim()])?;
        let Some(row) = row else { return Err(ClinicError::NoSuchPatient(name.into())) };
        let id: i64 = row.try_get(0)?;
        conn.execute("UPDATE tokens SET revoked_at = now() WHERE patient_id = $1 AND revoked_at IS NULL", &[&id])?;
        Ok(self.patient(id)?.expect("found above"))
    }

    pub fn patients(&self) -> Result<Vec<Patient>, ClinicError> {
        let rows = self.pool.get()?.query(&format!("SELECT {PATIENT_COLUMNS} FROM patients p ORDER BY p.name"), &[])?;
        rows.iter().map(patient_row).collect()
    }

    pub fn patient(&self, id: i64) -> Result<Option<Patient>, ClinicError> {
        let row =
            self.pool.get()?.query_opt(&format!("SELECT {PATIENT_COLUMNS} FROM patients p WHERE p.id = $1"), &[&id])?;
        row.as_ref().map(patient_row).transpose()
    }

    /// Makes sure the clinician has a token. With `given` (from the environment) that is the token, and
    /// nothing is stored. Otherwise one is generated at first start, stored hashed, and returned once to
    /// be printed; later starts return `None`.
    pub fn clinician_token(&self, given: Option<&str>) -> Result<Option<String>, ClinicError> {
        if given.is_some() {
            return Ok(None);
        }
        let mut conn = self.pool.get()?;
        let mut tx = conn.transaction()?;
        // One clinic server starting at a time decides (two at once must not both print a token).
        tx.execute("LOCK TABLE tokens IN SHARE ROW EXCLUSIVE MODE", &[])?;
        let have = tx.query_one("SELECT count(*) FROM tokens WHERE patient_id IS NULL AND revoked_at IS NULL", &[])?;
        if have.try_get::<_, i64>(0)? > 0 {
            return Ok(None);
        }
        let t = tokens::issue();
        tx.execute(
            "INSERT INTO tokens (id, patient_id, salt, hash) VALUES ($1, NULL, $2, $3)",
            &[&t.id, &t.salt.as_slice(), &t.hash.as_slice()],
        )?;
        tx.commit()?;
        Ok(Some(t.token))
    }

    /// Whose token this is: the clinician's (the one `given` in the environment, or the stored one), a
    /// patient's, or no one's (unknown, malformed or revoked).
    pub fn authenticate(&self, token: &str, given: Option<&str>) -> Result<Option<Who>, ClinicError> {
        if let Some(g) = given {
            if tokens::constant_time_eq(token.as_bytes(), g.as_bytes()) {
                return Ok(Some(Who::Clinician));
            }
        }
        let Some((id, secret)) = tokens::split(token) else { return Ok(None) };
        let row = self
            .pool
            .get()?
            .query_opt("SELECT patient_id, salt, hash FROM tokens WHERE id = $1 AND revoked_at IS NULL", &[&id])?;
        let Some(row) = row else { return Ok(None) };
        let (patient, salt, hash): (Option<i64>, &[u8], &[u8]) = (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
        if !tokens::verify(secret, salt, hash) {
            return Ok(None);
        }
        // With a token in the environment, it alone is the clinician's.
        Ok(match patient {
            Some(p) => Some(Who::Patient(p)),
            None if given.is_none() => Some(Who::Clinician),
            None => None,
        })
    }
}
