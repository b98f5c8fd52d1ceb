//! Which stretch is this? Each definition says what its pose looks like (`recognise` conditions); the
//! stretch whose conditions hold best, steadily, is taken. No stretch has recognition logic in Rust.

use super::Exercise;
use crate::measure::{near_side, Side, View};
use crate::pose::Pose;

/// Seconds over which evidence is averaged (an exponential moving average).
const TAU: f64 = 0.7;
/// Averaged score a stretch needs to be taken.
const ACCEPT: f32 = 0.8;
/// How much better another stretch must score to take over from the current one.
const SWITCH_MARGIN: f32 = 0.2;

/// Fraction of the stretch's conditions that hold for this pose, on the better side (0 when it has none).
pub fn score(ex: &Exercise, pose: &Pose) -> f32 {
    if ex.recognise.is_empty() {
        return 0.0;
    }
    let on = |side| {
        let view = View { pose, side };
        let held = ex
            .recognise
            .iter()
            .filter(|c| c.measure.eval(&view, &c.joints).is_some_and(|v| v >= c.range[0] && v <= c.range[1]))
            .count();
        held as f32 / ex.recognise.len() as f32
    };
    // A per-side stretch may be done on the far side: try both.
    if ex.per_side {
        on(Side::Left).max(on(Side::Right))
    } else {
        on(near_side(pose))
    }
}

pub struct Recogniser {
    scores: Vec<f32>,
    current: Option<usize>,
    last_t: Option<f64>,
}

impl Recogniser {
    pub fn new(catalog_len: usize) -> Self {
        Recogniser { scores: vec![0.0; catalog_len], current: None, last_t: None }
    }

    /// Index into `catalog` of the stretch being done, if one is recognised.
    pub fn update(&mut self, catalog: &[Exercise], pose: Option<&Pose>, t: f64) -> Option<usize> {
        let dt = self.last_t.map(|l| (t - l).clamp(0.0, 1.0)).unwrap_or(1.0 / 30.0);
        self.last_t = Some(t);
        let alpha = (1.0 - (-dt / TAU).exp()) as f32;
        for (s, ex) in self.scores.iter_mut().zip(catalog) {
            let now = pose.map(|p| score(ex, p)).unwrap_or(0.0);
            *s += alpha * (now - *s);
        }
        let (best, best_score) =
            self.scores.iter().copied().enumerate().max_by(|a, b| a.1.total_cmp(&b.1)).unwrap_or((0, 0.0));
        match self.current {
            Some(c) if c == best => {}
            Some(c) if best_score >= ACCEPT && best_score > self.scores[c] + SWITCH_MARGIN => self.current = Some(best),
            None if best_score >= ACCEPT => self.current = Some(best),
            _ => {}
        }
        self.current
    }
}
