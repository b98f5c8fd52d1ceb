//! `share`: sends a clinic the local sessions it does not have yet, or has an older copy of (summaries and
//! timelines, never a frame), with the patient's token. Each session goes in one request that the clinic
//! stores whole or not at all, so a share cut off anywhere loses nothing: the next one sends what is missing.

use std::time::Duration;

use super::Who;
use crate::history::store::{History, SharedSession, StoreError};

/// What a share did.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The patient the token belongs to, as the clinic numbers them.
    pub patient: i64,
    pub sent: usize,
    /// Sessions the clinic already had as they are here.
    pub already: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum ShareError {
    #[error("the clinic's address must start with http:// or https:// (got {0:?})")]
    BadUrl(String),
    #[error("could not reach the clinic at {url}: {reason}. Nothing is lost: the next share sends what is missing")]
    Unreachable { url: String, reason: String },
    #[error("the clinic refused the token ({0}): ask your clinic for a new one")]
    Refused(u16),
    #[error("that is the clinician's token; sharing needs the patient's own (from `clinic add-patient`)")]
    NotAPatient,
    #[error("the clinic answered {status}: {message}")]
    Clinic { status: u16, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A client for one clinic and one token.
struct Client {
    agent: ureq::Agent,
    base: String,
    auth: String,
}

impl Client {
    fn new(url: &str, token: &str) -> Result<Client, ShareError> {
        let base = url.trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(ShareError::BadUrl(url.into()));
        }
        let agent =
            ureq::AgentBuilder::new().timeout_connect(Duration::from_secs(5)).timeout(Duration::from_secs(60)).build();
        Ok(Client { agent, base, auth: format!("Bearer {token}") })
    }

    fn answer(&self, r: Result<ureq::Response, ureq::Error>) -> Result<ureq::Response, ShareError> {
        match r {
            Ok(r) => Ok(r),
            Err(ureq::Error::Status(code @ (401 | 403), _)) => Err(ShareError::Refused(code)),
            Err(ureq::Error::Status(status, r)) => {
                let message = r
                    .into_json::<serde_json::Value>()
                    .ok()
                    .and_then(|v| v["error"].as_str().map(String::from))
                    .unwrap_or_else(|| "no reason given".into());
                Err(ShareError::Clinic { status, message })
            }
            Err(ureq::Error::Transport(t)) => {
                Err(ShareError::Unreachable { url: self.base.clone(), reason: t.to_string() })
            }
        }
    }

    fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, ShareError> {
        let r = self.answer(self.agent.get(&format!("{}{path}", self.base)).set("Authorization", &self.auth).call())?;
        r.into_json().map_err(|e| ShareError::Unreachable { url: self.base.clone(), reason: e.to_string() })
    }

    fn put(&self, path: &str, body: &SharedSession) -> Result<(), ShareError> {
        let req = self.agent.put(&format!("{}{path}", self.base)).set("Authorization", &self.auth);
        self.answer(req.send_json(body)).map(drop)
    }
}

/// The source as the clinic may see it: which kind of camera, but never the name or path of a file on the
/// patient's machine.
pub fn what_was_watched(source: &str) -> String {
    match source.split_once(" of ") {
        Some(("replay", _)) => "a recording".into(),
        _ if source.starts_with("camera ") || source == "the browser's camera" => source.into(),
        _ => "other".into(),
    }
}

/// Sends `store`'s sessions that the clinic at `url` lacks or has an older copy of. `progress(done, of)`
/// is called after each one.
pub fn share(
    store: &dyn History,
    url: &str,
    token: &str,
    mut progress: impl FnMut(usize, usize),
) -> Result<Outcome, ShareError> {
    let client = Client::new(url, token)?;
    let patient = match client.get::<Who>("/api/me")? {
        Who::Patient(id) => id,
        Who::Clinician => return Err(ShareError::NotAPatient),
    };
    let held: std::collections::BTreeMap<String, String> = client.get(&format!("/api/patients/{patient}/shared"))?;
    let mine = store.sessions(None, None, u32::MAX)?;
    // Oldest first, so that a share cut off leaves the clinic with a history without gaps in the middle.
    let due: Vec<_> = mine
        .iter()
        .rev()
        .filter(|s| held.get(&s.uid).is_none_or(|theirs| theirs.as_str() < s.updated_at.as_str()))
        .collect();
    let already = mine.len() - due.len();
    for (i, s) in due.iter().enumerate() {
        let mut session = (*s).clone();
        session.source = what_was_watched(&session.source);
        let shared = SharedSession { session, timeline: store.timeline(s.id)? };
        client.put(&format!("/api/patients/{patient}/shared/{}", s.uid), &shared)?;
        progress(i + 1, due.len());
    }
    Ok(Outcome { patient, sent: due.len(), already })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_file_name_leaves_the_machine() {
        assert_eq!(what_was_watched("replay of /home/ann/Videos/me doing a bridge.mp4"), "a recording");
        assert_eq!(what_was_watched("camera 0"), "camera 0");
        assert_eq!(what_was_watched("the browser's camera"), "the browser's camera");
        assert_eq!(what_was_watched("/home/ann/secret"), "other");
    }
}
