//! What the body's silhouette shows where the joints cannot: the back between the shoulders and the hips.
//!
//! BlazePose's landmark model gives, in the same run as its landmarks, `segmentation_logits`: for each
//! pixel of its 256x256 region, whether the person is there. Seventeen (or 33) joints have no spine, so
//! the back's shape is read from the silhouette's edge: rays go out from the straight shoulder-hip line,
//! on the back's side, to where the body ends. Only those few rows of samples are read, never the whole
//! mask, and in the region's own pixels (the landmarks come in them too); only the outline found is mapped
//! into the frame.

type P = (f32, f32);

/// Points on the back's outline, evenly along the torso.
pub const BACK_POINTS: usize = 9;
/// The outline is read along the middle of the torso, from this far down the shoulder-hip line to that:
/// the shoulder blades and the buttocks at its ends are not the spine.
const SPAN: (f32, f32) = (0.15, 0.85);
/// A ray looks this far from the shoulder-hip line, in torso lengths, for the body's edge (the torso is
/// about half a torso length deep; further is an arm or a leg in the way).
const MAX_DEPTH: f32 = 0.7;
/// Ray steps, in mask pixels.
const STEP: f32 = 0.5;
/// The edge must stay outside the body this far (mask pixels): a speck of background is not the edge.
const CLEAR: f32 = 2.0;
/// The thighs say which way the belly faces when the hips are bent more than this (the knee this far in
/// front of the shoulder-hip line, in torso lengths); otherwise the face does.
const THIGH_FORWARD: f32 = 0.35;

/// The segmentation output: logits (positive: the person) over a square region, row-major.
pub struct Mask<'a> {
    pub logits: &'a [f32],
    pub size: usize,
}

impl Mask<'_> {
    /// The logit at a point, bilinear; None outside the region.
    fn at(&self, (x, y): P) -> Option<f32> {
        let n = self.size;
        if !(x >= 0.0 && y >= 0.0 && x <= (n - 1) as f32 && y <= (n - 1) as f32) || self.logits.len() < n * n {
            return None;
        }
        let (x0, y0) = (x.floor() as usize, y.floor() as usize);
        let (x1, y1) = ((x0 + 1).min(n - 1), (y0 + 1).min(n - 1));
        let (fx, fy) = (x - x0 as f32, y - y0 as f32);
        let v = |x: usize, y: usize| self.logits[y * n + x];
        let top = v(x0, y0) + (v(x1, y0) - v(x0, y0)) * fx;
        let bottom = v(x0, y1) + (v(x1, y1) - v(x0, y1)) * fx;
        Some(top + (bottom - top) * fy)
    }
}

/// The landmarks the back is found from, in mask pixels: the midpoints of both sides' shoulders, hips,
/// knees and ears (the model places the far side too), and the nose.
#[derive(Debug, Clone, Copy)]
pub struct Torso {
    pub shoulder: P,
    pub hip: P,
    pub knee: P,
    pub ear: P,
    pub nose: P,
}

fn sub(a: P, b: P) -> P {
    (a.0 - b.0, a.1 - b.1)
}

fn dot(a: P, b: P) -> f32 {
    a.0 * b.0 + a.1 * b.1
}

impl Torso {
    fn length(&self) -> f32 {
        let d = sub(self.hip, self.shoulder);
        d.0.hypot(d.1)
    }

    /// The unit normal of the shoulder-hip line on the back's side, if it can be told. The thighs come
    /// forward of the body whenever the hips are bent (all fours, child's pose, sitting, a knee drawn in);
    /// with the hips straight (a bridge at the top, lying, standing) the face looks the belly's way.
    fn back_side(&self) -> Option<P> {
        let len = self.length();
        let axis = sub(self.hip, self.shoulder);
        let normal = (-axis.1 / len, axis.0 / len);
        let thigh = dot(sub(self.knee, self.hip), normal) / len;
        let face = dot(sub(self.nose, self.ear), normal) / len;
        let belly = if thigh.abs() >= THIGH_FORWARD {
            thigh.signum()
        } else if face.abs() >= 0.05 {
            face.signum()
        } else {
            return None;
        };
        Some((-belly * normal.0, -belly * normal.1))
    }
}

/// Which of the torso's outlines shows the back's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outline {
    /// The back itself.
    Back,
    /// The front (chest and belly), when something lies against the back (arms on the floor beside a
    /// bridge): it bends the same way as the back, so its curve is the back's with the sign turned.
    Front,
}

/// The torso's outline that shows the back's shape, in mask pixels, shoulders to hips: the back's own when
/// clean, else the front's; None where neither does (the torso too small, a point of the shoulder-hip line
/// outside the body, no edge within reach, or a step in the outline: a limb against the body).
pub fn back_outline(mask: &Mask, torso: &Torso) -> Option<(Vec<P>, Outline)> {
    let len = torso.length();
    if len < 8.0 {
        return None;
    }
    let back = torso.back_side()?;
    let front = (-back.0, -back.1);
    outline(mask, torso, back)
        .map(|o| (o, Outline::Back))
        .or_else(|| outline(mask, torso, front).map(|o| (o, Outline::Front)))
}

/// The back's outline (mask pixels, shoulders to hips) and its curve, signed for the back whichever
/// outline showed it: see [`curve`].
pub fn back(mask: &Mask, torso: &Torso) -> Option<(Vec<P>, f32)> {
    let (outline, which) = back_outline(mask, torso)?;
    let curve = curve(&outline, torso.shoulder, torso.hip)?;
    Some((outline, if which == Outline::Back { curve } else { -curve }))
}

/// Neighbouring points of a clean outline lie at depths this close, in torso lengths: a limb lying against
/// the body, or the head raised over the shoulders, makes a step.
const MAX_STEP: f32 = 0.2;
/// The clean run of the outline must hold at least this many of its points, the middle one among them:
/// a step near an end (the head, the hands at the hips) is cut off, one in the middle spoils the outline.
const MIN_RUN: usize = 6;

fn outline(mask: &Mask, torso: &Torso, dir: P) -> Option<Vec<P>> {
    let len = torso.length();
    let axis = sub(torso.hip, torso.shoulder);
    let points: Vec<Option<(P, f32)>> = (0..BACK_POINTS)
        .map(|i| {
            let t = SPAN.0 + (SPAN.1 - SPAN.0) * i as f32 / (BACK_POINTS - 1) as f32;
            let start = (torso.shoulder.0 + axis.0 * t, torso.shoulder.1 + axis.1 * t);
            let depth = edge(mask, start, dir, MAX_DEPTH * len)?;
            Some(((start.0 + dir.0 * depth, start.1 + dir.1 * depth), depth))
        })
        .collect();
    // The longest run of found points without a step.
    let (mut best, mut run_start) = ((0, 0), 0);
    for i in 0..BACK_POINTS {
        let joined = i > run_start
            && matches!((points[i - 1], points[i]), (Some((_, a)), Some((_, b))) if (a - b).abs() <= MAX_STEP * len);
        if !joined {
            run_start = i;
        }
        if points[i].is_some() && i + 1 - run_start > best.1 - best.0 {
            best = (run_start, i + 1);
        }
    }
    let middle = BACK_POINTS / 2;
    (best.1 - best.0 >= MIN_RUN && (best.0..best.1).contains(&middle))
        .then(|| points[best.0..best.1].iter().flatten().map(|(p, _)| *p).collect())
}

/// How far from `start` along `dir` the body ends: the first crossing of the logit through zero, placed
/// between samples, after which the ray stays outside for [`CLEAR`] pixels. A start outside the body (the
/// belly of a deep cat rises above the shoulder-hip line) first goes on into it.
fn edge(mask: &Mask, start: P, dir: P, reach: f32) -> Option<f32> {
    let at = |d: f32| mask.at((start.0 + dir.0 * d, start.1 + dir.1 * d));
    let mut d = 0.0;
    while at(d)? <= 0.0 {
        d += STEP;
        if d >= reach {
            return None;
        }
    }
    let mut last = at(d)?;
    while d < reach {
        let next = at(d + STEP)?;
        if next <= 0.0 && last > 0.0 {
            let crossing = d + STEP * last / (last - next);
            let clear = (1..=(CLEAR / STEP) as usize).all(|k| at(d + STEP * (1 + k) as f32).is_none_or(|v| v <= 0.0));
            if clear {
                return Some(crossing);
            }
        }
        d += STEP;
        last = next;
    }
    None
}

/// The back's curve from an outline: the mean signed distance of the outline's inner points from the
/// straight line between its ends, in lengths of the shoulder-hip line (torso lengths), positive bulging
/// away from the shoulder-hip line. On the back's outline that is positive rounded (flexed: cat), negative
/// arched (extended: cow); on the front's, the opposite (see [`Outline`]). The side is the one of the
/// shoulder-hip line the outline lies on. Any scale and turn of the picture gives the same.
pub fn curve(outline: &[P], shoulder: P, hip: P) -> Option<f32> {
    let (first, last) = (*outline.first()?, *outline.last()?);
    let axis = sub(hip, shoulder);
    let len = axis.0.hypot(axis.1);
    let chord = sub(last, first);
    let chord_len = chord.0.hypot(chord.1);
    if outline.len() < 3 || len < 1e-3 || chord_len < 1e-3 {
        return None;
    }
    // Which side of the shoulder-hip line the outline lies on: that is away from the belly.
    let cross = |p: P| axis.0 * (p.1 - shoulder.1) - axis.1 * (p.0 - shoulder.0);
    let side = outline.iter().map(|&p| cross(p)).sum::<f32>().signum();
    let inner = &outline[1..outline.len() - 1];
    let departure = |p: P| side * (chord.0 * (p.1 - first.1) - chord.1 * (p.0 - first.0)) / chord_len;
    Some(inner.iter().map(|&p| departure(p)).sum::<f32>() / inner.len() as f32 / len)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A mask of a body on all fours seen side-on: a torso band from x 60 to 190 whose top edge (the back,
    /// facing up) bends by `bulge` pixels at its middle (up: rounded), plus legs and arms below it.
    fn all_fours(bulge: f32) -> Vec<f32> {
        let n = 256;
        let mut m = vec![-8.0f32; n * n];
        for y in 0..n {
            for x in 0..n {
                let (xf, yf) = (x as f32, y as f32);
                let s = ((xf - 60.0) / 130.0).clamp(0.0, 1.0);
                let top = 100.0 - bulge * 4.0 * s * (1.0 - s);
                let torso = (60.0..=190.0).contains(&xf) && yf >= top && yf <= 140.0;
                let limbs = ((65.0..=80.0).contains(&xf) || (175.0..=190.0).contains(&xf)) && yf > 140.0 && yf < 200.0;
                if torso || limbs {
                    m[y * n + x] = 8.0;
                }
            }
        }
        m
    }

    fn torso() -> Torso {
        // Head at the left (x 60), hips at the right; joints in the middle of the band; knees below the hips,
        // nose below and in front of the ears (the face looks at the floor).
        Torso {
            shoulder: (70.0, 120.0),
            hip: (180.0, 120.0),
            knee: (182.0, 190.0),
            ear: (50.0, 110.0),
            nose: (40.0, 125.0),
        }
    }

    #[test]
    fn a_rounded_back_reads_positive_an_arched_one_negative_and_a_flat_one_near_zero() {
        let at = |bulge: f32| {
            let logits = all_fours(bulge);
            let mask = Mask { logits: &logits, size: 256 };
            let t = torso();
            let (outline, which) = back_outline(&mask, &t).expect("outline");
            assert_eq!(which, Outline::Back);
            // Every point is on the top edge (the back, above the joints at y 120), not the belly.
            assert!(outline.iter().all(|p| p.1 < 113.0), "{bulge}: {outline:?}");
            curve(&outline, t.shoulder, t.hip).unwrap()
        };
        let (cat, flat, cow) = (at(12.0), at(0.0), at(-12.0));
        assert!(flat.abs() < 0.01, "flat {flat}");
        assert!(cat > 0.02 && cow < -0.02, "cat {cat} cow {cow}");
        assert!((cat + cow).abs() < 0.005, "symmetric: cat {cat} cow {cow}");
    }

    #[test]
    fn the_curve_does_not_depend_on_scale_turn_or_mirror() {
        let outline: Vec<P> = (0..BACK_POINTS).map(|i| (i as f32 * 10.0, -((i as f32 - 4.0).powi(2)) + 16.0)).collect();
        // Back up (negative y in the image is up), shoulder-hip line below it.
        let base = curve(&outline, (0.0, 30.0), (80.0, 30.0)).unwrap();
        assert!(base < 0.0, "the outline sinks at its middle towards the line: arched, {base}");
        let turn = |p: P| (3.0 * (p.0 * 0.6 - p.1 * 0.8) + 7.0, 3.0 * (p.0 * 0.8 + p.1 * 0.6) - 2.0);
        let turned: Vec<P> = outline.iter().map(|&p| turn(p)).collect();
        let c = curve(&turned, turn((0.0, 30.0)), turn((80.0, 30.0))).unwrap();
        assert!((c - base).abs() < 1e-4, "{c} vs {base}");
        let mirrored: Vec<P> = outline.iter().map(|&(x, y)| (-x, y)).collect();
        let m = curve(&mirrored, (0.0, 30.0), (-80.0, 30.0)).unwrap();
        assert!((m - base).abs() < 1e-4, "{m} vs {base}");
    }

    #[test]
    fn the_back_is_unseen_without_a_body_on_the_line_or_an_edge_in_reach() {
        let empty = vec![-5.0f32; 256 * 256];
        assert!(back_outline(&Mask { logits: &empty, size: 256 }, &torso()).is_none());
        let full = vec![5.0f32; 256 * 256];
        assert!(back_outline(&Mask { logits: &full, size: 256 }, &torso()).is_none());
        // The knee on the line and the face straight along it: which way the back faces cannot be told.
        let logits = all_fours(0.0);
        let t = Torso { knee: (250.0, 120.0), nose: (30.0, 120.0), ear: (50.0, 120.0), ..torso() };
        assert!(back_outline(&Mask { logits: &logits, size: 256 }, &t).is_none());
    }

    #[test]
    fn an_arm_against_the_back_makes_the_front_show_the_curve() {
        // All fours with a rounded back, and an arm-like blob lying on half of the back: the back's outline
        // steps, so the front's (the belly, which sinks towards the back where the back rounds) is used.
        let mut logits = all_fours(16.0);
        for y in 60..100 {
            for x in 120..200 {
                logits[y * 256 + x] = 8.0;
            }
        }
        let mask = Mask { logits: &logits, size: 256 };
        let t = torso();
        let (outline, which) = back_outline(&mask, &t).expect("outline");
        assert_eq!(which, Outline::Front);
        assert!(outline.iter().all(|p| p.1 > 139.0), "{outline:?}");
        // Removing the step rule would read the blob as a back that sinks at the shoulders.
        let (clean, _) = back_outline(&Mask { logits: &all_fours(16.0), size: 256 }, &t).unwrap();
        assert!(curve(&clean, t.shoulder, t.hip).unwrap() > 0.02);
    }

    #[test]
    fn with_straight_hips_the_face_says_where_the_belly_is() {
        // Lying on the back (a bridge at the top): the body along x, the face looking up (nose above the ear),
        // the knee on the line. The back is the lower edge.
        let logits = all_fours(0.0);
        let mask = Mask { logits: &logits, size: 256 };
        let t = Torso { knee: (230.0, 121.0), ear: (50.0, 122.0), nose: (42.0, 108.0), ..torso() };
        let (outline, which) = back_outline(&mask, &t).expect("outline");
        assert_eq!(which, Outline::Back);
        assert!(outline.iter().all(|p| p.1 > 139.0), "{outline:?}");
    }
}
