//! A coaching session: smoothing, judging and coaching chained, frame by frame, with its running summary.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::coach::{Advice, Coach, Level};
use crate::exercise::judge::{PhaseState, SideProgress};
use crate::exercise::{Exercise, Judge};
use crate::pose::smooth::{OneEuroParams, Smoother};
use crate::pose::Pose;

/// What one frame produced: the line `check --json` prints and `/api/status` serves.
#[derive(Debug, Clone, Serialize)]
pub struct FrameReport {
    pub t: f64,
    pub exercise: String,
    /// The text shown to the user now, or null.
    pub prompt: Option<String>,
    pub level: Option<Level>,
    /// The prompt is spoken at this frame.
    pub speak: bool,
    /// Ids of the failing checks' faults (persisted), most important first.
    pub faults: Vec<String>,
    pub person: bool,
    pub phase: Option<PhaseState>,
    pub reps: u32,
    /// Seconds held in good form so far.
    pub held: f64,
    /// The side judged (the working side of a per-side stretch).
    pub side: Option<crate::measure::Side>,
    /// Per-side stretches: progress of the left and the right side.
    pub sides: Option<[SideProgress; 2]>,
    pub measures: BTreeMap<String, Option<f32>>,
}

/// The session so far: `GET /api/session` and the last line of `check --json`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    pub exercise: String,
    pub name: String,
    pub frames: u64,
    pub frames_with_person: u64,
    pub duration_s: f64,
    pub reps: u32,
    pub rep_target: Option<u32>,
    /// Seconds held in good form.
    pub held_seconds: f64,
    /// How many times each fault was prompted.
    pub faults: BTreeMap<String, u32>,
    /// Per-side stretches: reps, seconds held and done, left then right.
    pub sides: Option<[SideProgress; 2]>,
    pub prompts_spoken: u32,
}

pub struct Session {
    smoother: Smoother,
    judge: Judge,
    coach: Coach,
    frames: u64,
    frames_with_person: u64,
    first_t: Option<f64>,
    last_t: f64,
}

impl Session {
    pub fn new(exercise: Exercise) -> Self {
        Session {
            smoother: Smoother::new(OneEuroParams::default()),
            judge: Judge::new(exercise),
            coach: Coach::new(),
            frames: 0,
            frames_with_person: 0,
            first_t: None,
            last_t: 0.0,
        }
    }

    pub fn exercise(&self) -> &Exercise {
        self.judge.exercise()
    }

    /// One frame: the model's pose (None when the frame could not be read) at time `t` seconds.
    pub fn step(&mut self, pose: Option<&Pose>, t: f64) -> FrameReport {
        self.frames += 1;
        self.first_t.get_or_insert(t);
        self.last_t = t;
        let smoothed = pose.map(|p| self.smoother.smooth(p, t));
        let j = self.judge.update(smoothed.as_ref(), t);
        if j.person {
            self.frames_with_person += 1;
        }
        let Advice { prompt, speak } = self.coach.advise(self.judge.exercise(), &j);
        FrameReport {
            t,
            exercise: j.exercise,
            level: prompt.as_ref().map(|p| p.level),
            prompt: prompt.map(|p| p.text),
            speak,
            faults: j.faults.iter().map(|f| f.id.clone()).collect(),
            person: j.person,
            phase: j.phase,
            reps: j.reps,
            held: round2(j.held),
            side: j.side,
            sides: j.sides,
            measures: j.measures.into_iter().map(|(k, v)| (k, v.map(|v| (v * 10.0).round() / 10.0))).collect(),
        }
    }

    pub fn summary(&self) -> Summary {
        let ex = self.judge.exercise();
        Summary {
            exercise: ex.id.clone(),
            name: ex.name.clone(),
            frames: self.frames,
            frames_with_person: self.frames_with_person,
            duration_s: round2(self.first_t.map(|f| self.last_t - f).unwrap_or(0.0)),
            reps: self.judge.reps(),
            rep_target: ex.rep_target,
            held_seconds: round2(self.judge.held()),
            faults: self.judge.fault_counts().clone(),
            sides: self.judge.sides(),
            prompts_spoken: self.coach.spoken_count(),
        }
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
