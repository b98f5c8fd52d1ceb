//! One-Euro filtering of keypoints (Casiez et al., CHI 2012): heavy smoothing at rest, little lag in motion.
//! Positions are filtered in units of the frame height, so the tuning holds at any resolution.

use super::keypoints::{Joint, Pose, LANDMARKS};

/// Tuned with the tests below: 2 px of noise at rest (480 px frame) is cut to about a third, and a joint
/// moving 200 px/s is followed within about 100 ms (see the test output for the figures).
#[derive(Debug, Clone, Copy)]
pub struct OneEuroParams {
    /// Hz: cut-off at rest (lower = smoother, laggier).
    pub min_cutoff: f64,
    /// How fast the cut-off rises with speed (per frame-height per second).
    pub beta: f64,
    /// Hz: cut-off for the speed estimate.
    pub d_cutoff: f64,
}

impl Default for OneEuroParams {
    fn default() -> Self {
        OneEuroParams { min_cutoff: 1.0, beta: 6.0, d_cutoff: 1.0 }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Axis {
    x: f64,
    dx: f64,
}

fn alpha(cutoff: f64, dt: f64) -> f64 {
    let tau = 1.0 / (2.0 * std::f64::consts::PI * cutoff);
    1.0 / (1.0 + tau / dt)
}

impl Axis {
    fn step(&mut self, v: f64, dt: f64, p: &OneEuroParams) -> f64 {
        let d = (v - self.x) / dt;
        self.dx += alpha(p.d_cutoff, dt) * (d - self.dx);
        let cutoff = p.min_cutoff + p.beta * self.dx.abs();
        self.x += alpha(cutoff, dt) * (v - self.x);
        self.x
    }
}

/// The left/right pairs among `joints`, each once, as indices: (left, right).
fn pairs(joints: &'static [Joint]) -> impl Iterator<Item = (usize, usize)> {
    joints.iter().filter(|j| j.mirrored().index() > j.index()).map(|j| (j.index(), j.mirrored().index()))
}

/// The pose's left and right sit where the last frame's right and left were: over the joints seen, the
/// labels swapped lie less than half as far from the last filtered positions as the labels kept.
fn swapped(pose: &Pose, axes: &[[Axis; 2]; LANDMARKS], scale: f64) -> bool {
    let at = |i: usize| (axes[i][0].x * scale, axes[i][1].x * scale);
    let d = |k: usize, i: usize| {
        let (x, y) = at(i);
        (pose.landmarks[k].x as f64 - x).hypot(pose.landmarks[k].y as f64 - y)
    };
    let (mut kept, mut traded) = (0.0, 0.0);
    // Judged on the COCO-17 pairs (every model gives them); all landmarks swap with them.
    for (l, r) in pairs(&Joint::COCO) {
        if pose.landmarks[l].score >= 0.3 && pose.landmarks[r].score >= 0.3 {
            kept += d(l, l) + d(r, r);
            traded += d(l, r) + d(r, l);
        }
    }
    // Both sides' joints at one place (side-on) trade nothing: require a real difference.
    traded < 0.5 * kept && kept - traded > 0.02 * scale
}

/// Smooths a stream of poses; a gap of more than `reset_after` seconds starts afresh.
pub struct Smoother {
    params: OneEuroParams,
    state: Option<(f64, [[Axis; 2]; LANDMARKS])>,
    reset_after: f64,
}

impl Smoother {
    pub fn new(params: OneEuroParams) -> Self {
        Smoother { params, state: None, reset_after: 0.5 }
    }

    pub fn smooth(&mut self, pose: &Pose, t: f64) -> Pose {
        let scale = pose.height.max(1) as f64;
        let mut out = pose.clone();
        match &mut self.state {
            Some((last, axes)) if t > *last && t - *last <= self.reset_after => {
                // A body does not turn round in one frame: left and right labels that trade places from the
                // last frame are the model's mix-up (BlazePose does it with people lying on their side).
                // Filtering through it would average the two sides into one.
                if swapped(&out, axes, scale) {
                    for (l, r) in pairs(&Joint::ALL) {
                        out.landmarks.swap(l, r);
                    }
                }
                let dt = t - *last;
                *last = t;
                for (k, ax) in out.landmarks.iter_mut().zip(axes.iter_mut()) {
                    k.x = (ax[0].step(k.x as f64 / scale, dt, &self.params) * scale) as f32;
                    k.y = (ax[1].step(k.y as f64 / scale, dt, &self.params) * scale) as f32;
                }
            }
            _ => {
                let mut axes = [[Axis::default(); 2]; LANDMARKS];
                for (k, ax) in pose.landmarks.iter().zip(axes.iter_mut()) {
                    ax[0].x = k.x as f64 / scale;
                    ax[1].x = k.y as f64 / scale;
                }
                self.state = Some((t, axes));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::synth::Rng;
    use crate::seeing::pose::Keypoint;

    fn pose_at(y: f32) -> Pose {
        Pose::coco(640, 480, [Keypoint { x: 320.0, y, score: 0.9 }; 17])
    }

    #[test]
    fn left_and_right_traded_for_a_frame_are_put_back() {
        // Facing the camera: left joints on the image's right. One frame the model swaps every label.
        let facing = |swap: bool| {
            let mut p = pose_at(240.0);
            for (l, r) in pairs(&Joint::COCO) {
                let (lx, rx) = if swap { (200.0, 440.0) } else { (440.0, 200.0) };
                p.landmarks[l].x = lx;
                p.landmarks[r].x = rx;
            }
            p
        };
        let mut s = Smoother::new(OneEuroParams::default());
        s.smooth(&facing(false), 0.0);
        let out = s.smooth(&facing(true), 1.0 / 30.0);
        // Unswapped, the left shoulder would be dragged from x 440 towards 200.
        assert!((out.landmarks[5].x - 440.0).abs() < 1.0, "{:?}", out.landmarks[5]);
        assert!((out.landmarks[6].x - 200.0).abs() < 1.0, "{:?}", out.landmarks[6]);
    }

    #[test]
    fn still_joints_stop_jittering() {
        // 2 px of noise at rest (about 0.5 degree on a 130 px torso) shrinks to well under a pixel.
        let mut s = Smoother::new(OneEuroParams::default());
        let mut rng = Rng::new(3);
        let ys: Vec<f32> =
            (0..300).map(|i| s.smooth(&pose_at(240.0 + 2.0 * rng.normal()), i as f64 / 30.0).landmarks[0].y).collect();
        let tail = &ys[60..];
        let mean = tail.iter().sum::<f32>() / tail.len() as f32;
        let sd = (tail.iter().map(|y| (y - mean).powi(2)).sum::<f32>() / tail.len() as f32).sqrt();
        eprintln!("jitter at rest: {sd:.2} px from 2 px raw");
        assert!(sd < 0.8, "jitter at rest {sd} px (raw 2 px)");
    }

    #[test]
    fn a_real_movement_is_followed_within_about_100_ms() {
        // A joint moving 120 px in 0.6 s (a bridge lift): the filtered one is never more than 100 ms behind.
        let mut s = Smoother::new(OneEuroParams::default());
        let path = |t: f64| {
            if t < 1.0 {
                200.0
            } else if t < 1.6 {
                200.0 + 200.0 * (t - 1.0)
            } else {
                320.0
            }
        };
        let mut worst_lag_px = 0.0f64;
        for i in 0..90 {
            let t = i as f64 / 30.0;
            let y = s.smooth(&pose_at(path(t) as f32), t).landmarks[0].y as f64;
            if (1.0..1.6).contains(&t) {
                worst_lag_px = worst_lag_px.max(path(t) - y);
            }
        }
        // 200 px/s: 100 ms behind is 20 px.
        eprintln!("worst lag in a 200 px/s movement: {worst_lag_px:.1} px = {:.0} ms", worst_lag_px / 0.2);
        assert!(worst_lag_px < 20.0, "lagged {worst_lag_px:.1} px ({:.0} ms)", worst_lag_px / 0.2);
    }
}
