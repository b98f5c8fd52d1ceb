//! MediaPipe BlazePose as a pose stage: a person detector finds the body once, then a landmark model
//! follows it from frame to frame in a rotated square region that the landmarks themselves predict, the
//! way MediaPipe's pose solution tracks. Model I/O, anchors and the region rule: models/README.md.
//!
//! - No track (first frame, or the pose flag said the person was lost): the detector runs on the
//!   letterboxed frame; its best detection's hip centre and size/rotation point give the region.
//! - Tracking: the previous landmarks' auxiliary points 33 (hip centre) and 34 give the region: one run. If
//!   the pose flag says the person was lost there, the detector runs on the same frame (MediaPipe waits for
//!   the next one): a frame never reads as nobody only because the followed region slipped.
//! - Nobody detected: MoveNet Lightning's joints give a region (`find`), kept only if the landmark model is
//!   sure of a person there; a real cat pose, face hidden by hanging hair, is found this way.

use std::f32::consts::{FRAC_PI_2, PI};
use std::path::PathBuf;
use std::time::Instant;

use image::RgbImage;
use ort::session::Session;
use ort::value::TensorRef;

use super::keypoints::{Back, Joint, Keypoint, Pose};
use super::model::{load_session, model_path, ModelError, ModelOptions, PoseModel, Shipped, StageTimes};
use super::preprocess::{fill_tensor, input_tensor, sample_into, InputMap, InputTensor};
use super::silhouette::{self, Mask, Torso};

const DETECTOR_SIZE: usize = 224;
const LANDMARK_SIZE: usize = 256;
/// A detection, and a tracked person (the pose flag), count at this probability (MediaPipe's thresholds).
const MIN_SCORE: f32 = 0.5;
/// When nobody is detected at MIN_SCORE, the surest detection down to this is tried, and kept only if the
/// landmark model is then sure a person is there (WEAK_FLAG). BlazePose's detector misses people MoveNet
/// finds: a real photo of a man lying side-on before a bridge (AI-Coach-PT/ExerSights, development only)
/// scores 0.25 and its landmarks' pose flag 0.998. Empty frames reach 0.43, and one (a block of flats,
/// tests/fixtures/empty) a pose flag of 0.71 at a 0.10 detection: hence the high bar for the flag.
const WEAK_SCORE: f32 = 0.1;
const WEAK_FLAG: f32 = 0.95;
/// MoveNet's joints taken to place the body when the detector finds nobody (MoveNet's own 0.3).
const FIND_SCORE: f32 = 0.3;
/// MoveNet looks on one in this many frames on which the detector finds nobody.
const FIND_EVERY: u64 = 6;
/// Detections overlapping the best by more than this are averaged into it (MediaPipe's weighted NMS).
const NMS_IOU: f32 = 0.3;

/// The rotated square the landmark model looks through, in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Roi {
    pub cx: f32,
    pub cy: f32,
    pub side: f32,
    /// Radians; the crop's up points from the centre towards the size/rotation point.
    pub rotation: f32,
}

impl Roi {
    /// MediaPipe's rule: centred on the hip centre `p0`, turned so that `p0`->`p1` points up in the crop,
    /// 2.5 times their distance across (room for the whole body around the hips).
    pub fn from_points(p0: (f32, f32), p1: (f32, f32)) -> Roi {
        let (dx, dy) = (p1.0 - p0.0, p1.1 - p0.1);
        let mut rotation = FRAC_PI_2 - (-dy).atan2(dx);
        if rotation > PI {
            rotation -= 2.0 * PI;
        } else if rotation <= -PI {
            rotation += 2.0 * PI;
        }
        Roi { cx: p0.0, cy: p0.1, side: 2.0 * dx.hypot(dy) * 1.25, rotation }
    }

    /// Landmark-model input pixels to frame pixels. InputMap::square turns by `angle` with the same sign
    /// as MediaPipe's rotation (x' = x0 + du cos - dv sin, y' = y0 + du sin + dv cos): it is passed as is.
    pub fn map(&self) -> InputMap {
        InputMap::square(self.cx, self.cy, self.side, self.rotation, LANDMARK_SIZE)
    }
}

/// The detector's SSD anchor centres (0..1 over its 224 input): strides 8, 16, 32, 32, 32, layers of
/// equal stride merged, two anchors per layer per cell; 28x28x2, 14x14x2, 7x7x6 = 2254, row-major.
pub fn anchors() -> Vec<(f32, f32)> {
    let mut out = Vec::with_capacity(2254);
    for (cells, per_cell) in [(28usize, 2usize), (14, 2), (7, 6)] {
        for y in 0..cells {
            for x in 0..cells {
                let c = ((x as f32 + 0.5) / cells as f32, (y as f32 + 0.5) / cells as f32);
                out.extend(std::iter::repeat_n(c, per_cell));
            }
        }
    }
    out
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x.clamp(-100.0, 100.0)).exp())
}

/// One decoded detection, in detector-input pixels: its box and keypoints 0 (hip centre) and 1.
#[derive(Debug, Clone, Copy)]
struct Detection {
    score: f32,
    bx: [f32; 4], // x0, y0, x1, y1
    kp: [(f32, f32); 2],
}

fn iou(a: &[f32; 4], b: &[f32; 4]) -> f32 {
    let w = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let h = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    let inter = w * h;
    let union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
    if union > 0.0 {
        inter / union
    } else {
        0.0
    }
}

/// The surest detection over `min_score`, its keypoints averaged (by score) with those of the detections
/// overlapping it: one person, so only the first cluster of MediaPipe's weighted NMS is needed.
fn best_detection(anchors: &[(f32, f32)], regressors: &[f32], logits: &[f32], min_score: f32) -> Option<Detection> {
    let s = DETECTOR_SIZE as f32;
    let decode = |i: usize| {
        let (ax, ay) = (anchors[i].0 * s, anchors[i].1 * s);
        let r = &regressors[i * 12..i * 12 + 12];
        let (cx, cy, w, h) = (r[0] + ax, r[1] + ay, r[2], r[3]);
        Detection {
            score: sigmoid(logits[i]),
            bx: [cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0],
            kp: [(r[4] + ax, r[5] + ay), (r[6] + ax, r[7] + ay)],
        }
    };
    let candidates: Vec<usize> = (0..anchors.len()).filter(|&i| sigmoid(logits[i]) >= min_score).collect();
    let best = decode(*candidates.iter().max_by(|&&a, &&b| logits[a].total_cmp(&logits[b]))?);
    let (mut total, mut kp) = (0.0, [(0.0f32, 0.0f32); 2]);
    for d in candidates.iter().map(|&i| decode(i)).filter(|d| iou(&d.bx, &best.bx) > NMS_IOU) {
        total += d.score;
        for (sum, p) in kp.iter_mut().zip(d.kp) {
            sum.0 += d.score * p.0;
            sum.1 += d.score * p.1;
        }
    }
    kp.iter_mut().for_each(|p| *p = (p.0 / total, p.1 / total));
    Some(Detection { kp, ..best })
}

pub struct BlazePose {
    detector: Session,
    /// The landmark model up to the landmarks and pose flag, also giving the feature maps `segmentation` takes.
    landmarks: Session,
    /// The landmark model's segmentation decoder: more than half of its time, so it runs only while the back
    /// is read.
    segmentation: Session,
    /// Whether the back is read on the frames to come (`want_back`).
    reads_back: bool,
    /// The three files with their checksums, and how they run: to load them again on more threads (`widen`).
    files: [(PathBuf, &'static str); 3],
    options: ModelOptions,
    anchors: Vec<(f32, f32)>,
    track: Option<Roi>,
    /// MoveNet Lightning, loaded the first time the detector finds nobody (see [`BlazePose::find`]).
    finder: Option<PoseModel>,
    /// Off only to measure how well the body is found without it (`without_detector`).
    detector_on: bool,
    /// Frames in a row on which nobody was followed or detected.
    missed: u64,
    times: StageTimes,
    rgb_det: Vec<u8>,
    input_det: InputTensor<f32>,
    rgb_lm: Vec<u8>,
    input_lm: InputTensor<f32>,
}

impl BlazePose {
    /// A shipped BlazePose set (detector, landmarks, segmentation), every file checksum-verified.
    pub fn shipped(model: &Shipped, options: ModelOptions) -> Result<Self, ModelError> {
        let (Some(det), Some(det_sha), Some(seg), Some(seg_sha)) =
            (model.detector, model.detector_sha256, model.segmentation, model.segmentation_sha256)
        else {
            return Err(ModelError::Signature {
                path: model_path(model.file),
                reason: "not a BlazePose model (no detector and segmentation)".into(),
            });
        };
        let file = |name: &str, sha: &'static str| (model_path(name), sha);
        Self::load(file(det, det_sha), file(model.file, model.sha256), file(seg, seg_sha), options)
    }

    /// The three files, each with its sha256.
    fn load(
        (detector, detector_sha256): (PathBuf, &'static str),
        (landmarks, landmarks_sha256): (PathBuf, &'static str),
        (segmentation, segmentation_sha256): (PathBuf, &'static str),
        options: ModelOptions,
    ) -> Result<Self, ModelError> {
        let detector_session = load_session(&detector, Some(detector_sha256), options)?;
        let landmarks_session = load_session(&landmarks, Some(landmarks_sha256), options)?;
        let segmentation_session = load_session(&segmentation, Some(segmentation_sha256), options)?;
        // Outputs are read by name: a file without them is not the model this code decodes.
        let has = |s: &Session, names: &[&str]| names.iter().all(|n| s.outputs().iter().any(|o| o.name() == *n));
        if !has(&detector_session, &["regressors", "classificators"]) {
            return Err(ModelError::Signature {
                path: detector.to_path_buf(),
                reason: "expected BlazePose detector outputs `regressors` and `classificators`".into(),
            });
        }
        let feature_maps: Vec<&str> = segmentation_session.inputs().iter().map(|i| i.name()).collect();
        if !has(&landmarks_session, &["ld_3d", "output_poseflag"]) || !has(&landmarks_session, &feature_maps) {
            return Err(ModelError::Signature {
                path: landmarks.to_path_buf(),
                reason: "expected BlazePose landmark outputs `ld_3d`, `output_poseflag` and the segmentation's inputs"
                    .into(),
            });
        }
        if !has(&segmentation_session, &["segmentation_logits"]) {
            return Err(ModelError::Signature {
                path: segmentation.to_path_buf(),
                reason: "expected the BlazePose segmentation output `segmentation_logits`".into(),
            });
        }
        Ok(BlazePose {
            detector: detector_session,
            landmarks: landmarks_session,
            segmentation: segmentation_session,
            reads_back: true,
            files: [(detector, detector_sha256), (landmarks, landmarks_sha256), (segmentation, segmentation_sha256)],
            options,
            anchors: anchors(),
            track: None,
            finder: None,
            detector_on: true,
            missed: 0,
            times: StageTimes::default(),
            rgb_det: vec![0; DETECTOR_SIZE * DETECTOR_SIZE * 3],
            input_det: input_tensor(DETECTOR_SIZE),
            rgb_lm: vec![0; LANDMARK_SIZE * LANDMARK_SIZE * 3],
            input_lm: input_tensor(LANDMARK_SIZE),
        })
    }

    /// The region the detector finds the person in, if it finds one, and whether that detection was weak
    /// (under MIN_SCORE: to be confirmed by the landmark model).
    fn detect(&mut self, frame: &RgbImage) -> Result<Option<(Roi, bool)>, ModelError> {
        let err = |e: ort::Error| ModelError::Inference(e.to_string());
        let t = Instant::now();
        let map = InputMap::letterbox(frame.width(), frame.height(), DETECTOR_SIZE);
        sample_into(frame, &map, DETECTOR_SIZE, &mut self.rgb_det);
        // The detector takes -1..1.
        fill_tensor(&mut self.input_det, &self.rgb_det, |p| p as f32 / 127.5 - 1.0);
        self.times.prepare_ms += ms(t);
        let outputs = run(&mut self.detector, &self.input_det, Some(&mut self.times))?;
        let t = Instant::now();
        let (_, regressors) = outputs["regressors"].try_extract_tensor::<f32>().map_err(err)?;
        let (_, logits) = outputs["classificators"].try_extract_tensor::<f32>().map_err(err)?;
        let found = best_detection(&self.anchors, regressors, logits, MIN_SCORE)
            .map(|d| (d, false))
            .or_else(|| best_detection(&self.anchors, regressors, logits, WEAK_SCORE).map(|d| (d, true)));
        let roi = found.map(|(d, weak)| {
            (Roi::from_points(map.apply(d.kp[0].0, d.kp[0].1), map.apply(d.kp[1].0, d.kp[1].1)), weak)
        });
        self.times.decode_ms += ms(t);
        Ok(roi)
    }

    /// The landmarks seen through `roi`: the pose, the region to follow the person in next (None when the
    /// pose flag says the person is not there), and the pose flag.
    fn landmarks(&mut self, frame: &RgbImage, roi: &Roi) -> Result<(Pose, Option<Roi>, f32), ModelError> {
        let err = |e: ort::Error| ModelError::Inference(e.to_string());
        let t = Instant::now();
        let map = roi.map();
        self.prepare_landmarks(frame, &map);
        self.times.prepare_ms += ms(t);
        let outputs = run(&mut self.landmarks, &self.input_lm, Some(&mut self.times))?;
        let t = Instant::now();
        let (_, ld) = outputs["ld_3d"].try_extract_tensor::<f32>().map_err(err)?;
        let (_, flag) = outputs["output_poseflag"].try_extract_tensor::<f32>().map_err(err)?;
        let flag = if flag[0].is_finite() { flag[0].clamp(0.0, 1.0) } else { 0.0 };
        // Rows of (x, y, z, visibility logit, presence logit), x and y in crop pixels.
        let crop = |row: usize| (ld[row * 5], ld[row * 5 + 1]);
        let at = |row: usize| map.apply(ld[row * 5], ld[row * 5 + 1]);
        let mut pose = Pose::unseen(frame.width(), frame.height(), &Joint::ALL);
        for (k, joint) in pose.landmarks.iter_mut().zip(Joint::ALL) {
            let row = joint.blazepose_row();
            let (x, y) = at(row);
            // Times the pose flag: a lost person reads as unknown, not as confidently placed joints.
            let score = sigmoid(ld[row * 5 + 3]) * flag;
            // BlazePose places the whole body even past the frame (legs below a portrait): a joint outside
            // the picture is not seen, whatever the model's confidence.
            let inside = x >= 0.0 && y >= 0.0 && x < frame.width() as f32 && y < frame.height() as f32;
            let score = if score.is_finite() && inside { score } else { 0.0 };
            *k = Keypoint { x, y, score };
        }
        if flag >= MIN_SCORE && self.reads_back {
            let ts = Instant::now();
            let seg = segment(&mut self.segmentation, &outputs)?;
            // The rest of the same network: inference, no model run of its own; decoding's clock (`t`) runs
            // through it, so it is taken back out there.
            let infer = ms(ts);
            self.times.infer_ms += infer;
            self.times.decode_ms -= infer;
            let ts = Instant::now();
            let (_, logits) = seg["segmentation_logits"].try_extract_tensor::<f32>().map_err(err)?;
            pose.back = back(&Mask { logits, size: LANDMARK_SIZE }, &crop, &map, &pose);
            self.times.silhouette_ms += ms(ts);
        }
        let next = (flag >= MIN_SCORE).then(|| Roi::from_points(at(33), at(34))).filter(|r| r.side > 1.0);
        self.times.decode_ms += ms(t);
        Ok((pose, next, flag))
    }

    fn prepare_landmarks(&mut self, frame: &RgbImage, map: &InputMap) {
        sample_into(frame, map, LANDMARK_SIZE, &mut self.rgb_lm);
        // The landmark model takes 0..1.
        fill_tensor(&mut self.input_lm, &self.rgb_lm, |p| p as f32 / 255.0);
    }

    pub fn estimate(&mut self, frame: &RgbImage) -> Result<Pose, ModelError> {
        if let Some(roi) = self.track {
            self.missed = 0;
            let (pose, next, flag) = self.landmarks(frame, &roi)?;
            self.track = next;
            // Lost in this very frame (the region slid off the person, or they moved fast): looked for afresh
            // now, not a frame later. A frame that loses the person otherwise reads as nobody there, and a photo
            // judged on such a frame is judged on nobody (a real child's pose, tracked 0.99, 1.00, 0.99, then 0.09).
            if flag >= MIN_SCORE || !self.detector_on {
                return Ok(pose);
            }
        }
        self.find_afresh(frame)
    }

    /// The person found with no region to follow: the detector's, or MoveNet's when it finds nobody.
    fn find_afresh(&mut self, frame: &RgbImage) -> Result<Pose, ModelError> {
        let unseen = || Pose::unseen(frame.width(), frame.height(), &Joint::ALL);
        let (roi, weak) = match if self.detector_on { self.detect(frame)? } else { None } {
            Some(found) => {
                self.missed = 0;
                found
            }
            None => {
                // An empty room would pay for MoveNet on every frame: it looks on one in six, so a person
                // the detector cannot find is found within a fifth of a second at a camera's pace.
                self.missed += 1;
                match (self.missed % FIND_EVERY == 1).then(|| self.find(frame)).transpose()?.flatten() {
                    Some(roi) => (roi, true),
                    None => return Ok(unseen()),
                }
            }
        };
        let first = self.landmarks(frame, &roi)?;
        // A region found another way than the detector's is rough: looked through again where the landmarks
        // put the body, and the surer of the two looks kept (a real kneeling fold read 0.975 through the rough
        // region and under WEAK_FLAG through the closer one, and was dropped as nobody).
        let (pose, next, flag) = match first.1 {
            Some(closer) if weak && first.2 >= WEAK_FLAG => {
                let again = self.landmarks(frame, &closer)?;
                if again.2 >= first.2 {
                    again
                } else {
                    first
                }
            }
            _ => first,
        };
        self.track = next;
        // A weak detection stands only if the landmark model is sure a person is there.
        if weak && flag < WEAK_FLAG {
            self.track = None;
            return Ok(unseen());
        }
        Ok(pose)
    }

    pub fn reset(&mut self) {
        self.track = None;
        self.missed = 0;
    }

    /// This stage with its detector never taken: every person found as when the detector finds nobody. To
    /// measure that path on real photos, where the detector would have found them (tests).
    pub fn without_detector(mut self) -> BlazePose {
        self.detector_on = false;
        self
    }

    /// Where the body is when BlazePose's detector finds nobody, from MoveNet Lightning's joints: its
    /// detector keys on a face, and misses people whose face is hidden or upside down (on all fours with
    /// the head hanging, lying with the head away from the camera). The region is MediaPipe's: centred on
    /// the hips, turned so that the shoulders are up, reaching to the farthest joint seen.
    fn find(&mut self, frame: &RgbImage) -> Result<Option<Roi>, ModelError> {
        if self.finder.is_none() {
            let lightning = super::model::shipped("lightning").expect("Lightning is shipped");
            self.finder = Some(PoseModel::shipped(lightning, self.options)?);
        }
        let finder = self.finder.as_mut().expect("loaded above");
        let pose = finder.estimate(frame)?;
        self.times += finder.take_times();
        let seen = |j: Joint| Some(pose.get(j)).filter(|k| k.score >= FIND_SCORE).map(|k| (k.x, k.y));
        let mid = |a: Joint, b: Joint| match (seen(a), seen(b)) {
            (Some(p), Some(q)) => Some(((p.0 + q.0) / 2.0, (p.1 + q.1) / 2.0)),
            (p, q) => p.or(q),
        };
        let (Some(hips), Some(shoulders)) =
            (mid(Joint::LeftHip, Joint::RightHip), mid(Joint::LeftShoulder, Joint::RightShoulder))
        else {
            return Ok(None);
        };
        let reach = Joint::COCO
            .iter()
            .filter_map(|j| seen(*j))
            .map(|p| (p.0 - hips.0).hypot(p.1 - hips.1))
            .fold(0.0_f32, f32::max);
        let (dx, dy) = (shoulders.0 - hips.0, shoulders.1 - hips.1);
        let len = dx.hypot(dy);
        if len < 1.0 || reach < 1.0 {
            return Ok(None);
        }
        let up = (hips.0 + dx / len * reach, hips.1 + dy / len * reach);
        Ok(Some(Roi::from_points(hips, up)))
    }

    pub fn take_times(&mut self) -> StageTimes {
        std::mem::take(&mut self.times)
    }

    /// Side of the landmark model's square input.
    pub fn input_size(&self) -> usize {
        LANDMARK_SIZE
    }

    /// For timing bare inference: the landmark model's input filled from `frame`, letterboxed.
    pub fn prepare_bare(&mut self, frame: &RgbImage) {
        let map = InputMap::letterbox(frame.width(), frame.height(), LANDMARK_SIZE);
        self.prepare_landmarks(frame, &map);
    }

    /// Bare inference of the whole landmark model on the prepared input, the segmentation decoder included,
    /// as MediaPipe runs it (the detector runs only when lost).
    pub fn infer_bare(&mut self) -> Result<(), ModelError> {
        let outputs = run(&mut self.landmarks, &self.input_lm, None)?;
        segment(&mut self.segmentation, &outputs).map(drop)
    }

    /// Loads the three models again on every core (at most 4), resting between runs; the person is still
    /// followed. False when they have that many threads already.
    pub fn widen(&mut self) -> Result<bool, ModelError> {
        let Some(options) = self.options.widened() else { return Ok(false) };
        let [detector, landmarks, segmentation] =
            self.files.clone().map(|(path, sha)| load_session(&path, Some(sha), options));
        (self.detector, self.landmarks, self.segmentation) = (detector?, landmarks?, segmentation?);
        self.options = options;
        Ok(true)
    }

    /// Whether the frames to come read the back (the segmentation decoder runs): on until told otherwise.
    pub fn want_back(&mut self, wanted: bool) {
        self.reads_back = wanted;
    }
}

/// The back from the silhouette, measured in the crop's own pixels (where the landmarks come too) and its
/// outline mapped into the frame; None when the shoulders or hips are out of the picture.
fn back(mask: &Mask, crop: &dyn Fn(usize) -> (f32, f32), map: &InputMap, pose: &Pose) -> Option<Back> {
    let seen = |j: Joint| {
        let k = pose.get(j);
        k.score > 0.0
    };
    let torso_in_view =
        [Joint::LeftShoulder, Joint::RightShoulder, Joint::LeftHip, Joint::RightHip].into_iter().all(seen);
    if !torso_in_view {
        return None;
    }
    let mid = |a: Joint, b: Joint| {
        let (p, q) = (crop(a.blazepose_row()), crop(b.blazepose_row()));
        ((p.0 + q.0) / 2.0, (p.1 + q.1) / 2.0)
    };
    let torso = Torso {
        shoulder: mid(Joint::LeftShoulder, Joint::RightShoulder),
        hip: mid(Joint::LeftHip, Joint::RightHip),
        knee: mid(Joint::LeftKnee, Joint::RightKnee),
        ear: mid(Joint::LeftEar, Joint::RightEar),
        nose: crop(Joint::Nose.blazepose_row()),
    };
    let (outline, curve) = silhouette::back(mask, &torso)?;
    Some(Back { curve, outline: outline.into_iter().map(|(x, y)| map.apply(x, y)).collect() })
}

/// One run of a model on its float input, timed into `times` when given.
fn run<'s>(
    session: &'s mut Session,
    input: &InputTensor<f32>,
    times: Option<&mut StageTimes>,
) -> Result<ort::session::SessionOutputs<'s>, ModelError> {
    let err = |e: ort::Error| ModelError::Inference(e.to_string());
    let t = Instant::now();
    let tensor = TensorRef::from_array_view(input).map_err(err)?;
    let outputs = session.run(ort::inputs![tensor]).map_err(err)?;
    if let Some(times) = times {
        times.infer_ms += ms(t);
        times.runs += 1;
    }
    Ok(outputs)
}

/// The segmentation decoder on the body's outputs: it takes the encoder's feature maps by name, as they are.
fn segment<'s>(
    segmentation: &'s mut Session,
    body: &ort::session::SessionOutputs,
) -> Result<ort::session::SessionOutputs<'s>, ModelError> {
    let maps: Vec<_> = segmentation.inputs().iter().map(|i| (i.name().to_string(), body[i.name()].view())).collect();
    segmentation.run(maps).map_err(|e| ModelError::Inference(e.to_string()))
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

impl super::PoseStage for BlazePose {
    fn estimate(&mut self, frame: &RgbImage) -> Result<Pose, ModelError> {
        BlazePose::estimate(self, frame)
    }
    fn reset(&mut self) {
        BlazePose::reset(self)
    }
    fn take_times(&mut self) -> StageTimes {
        BlazePose::take_times(self)
    }
    fn want_back(&mut self, wanted: bool) {
        BlazePose::want_back(self, wanted)
    }
    fn widen(&mut self) -> Result<bool, ModelError> {
        BlazePose::widen(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_detector_has_2254_anchors_in_mediapipe_order() {
        let a = anchors();
        assert_eq!(a.len(), 2254);
        // First: cell (0, 0) of the 28x28 layer, twice; then its neighbour to the right.
        assert_eq!((a[0], a[1]), ((0.5 / 28.0, 0.5 / 28.0), (0.5 / 28.0, 0.5 / 28.0)));
        assert_eq!(a[2], (1.5 / 28.0, 0.5 / 28.0));
        // The 14x14 layer starts at 1568, the 7x7 one (six per cell) at 1960; the last is its last cell.
        assert_eq!(a[1568], (0.5 / 14.0, 0.5 / 14.0));
        assert_eq!(a[1960], (0.5 / 7.0, 0.5 / 7.0));
        assert_eq!(a[2253], (6.5 / 7.0, 6.5 / 7.0));
        assert_eq!(a[2248], a[2253]);
    }

    #[test]
    fn the_region_is_centred_on_the_hips_with_the_size_point_up_in_the_crop() {
        // Hips at (100, 100), size point 100 px to their right: a body lying along +x.
        let roi = Roi::from_points((100.0, 100.0), (200.0, 100.0));
        assert!((roi.side - 250.0).abs() < 1e-3 && (roi.rotation - FRAC_PI_2).abs() < 1e-6, "{roi:?}");
        // Upright (size point straight above the hips): no turn.
        let upright = Roi::from_points((100.0, 100.0), (100.0, 40.0));
        assert!(upright.rotation.abs() < 1e-6, "{upright:?}");
        // Upside down: half a turn, wrapped into (-pi, pi].
        let down = Roi::from_points((100.0, 100.0), (100.0, 160.0));
        assert!((down.rotation - PI).abs() < 1e-5, "{down:?}");

        // Any direction: the crop's centre is the hips, and straight up in the crop (0.4 of the side, as
        // |p1 - p0| = side / 2.5) is the size point; right in the crop is a quarter turn clockwise from it.
        for deg in [0.0f32, 30.0, 90.0, 135.0, 180.0, -60.0, -120.0] {
            let a = deg.to_radians();
            let p0 = (320.0, 240.0);
            let p1 = (p0.0 + 80.0 * a.sin(), p0.1 - 80.0 * a.cos());
            let roi = Roi::from_points(p0, p1);
            let m = roi.map();
            let close = |(x, y): (f32, f32), (ex, ey): (f32, f32)| (x - ex).hypot(y - ey) < 1e-2;
            assert!(close(m.apply(128.0, 128.0), p0), "{deg}: centre {:?}", m.apply(128.0, 128.0));
            let up = m.apply(128.0, 128.0 - 0.4 * 256.0);
            assert!(close(up, p1), "{deg}: up {up:?}, expected {p1:?}");
            let right = m.apply(128.0 + 0.4 * 256.0, 128.0);
            let expected = (p0.0 + 80.0 * a.cos(), p0.1 + 80.0 * a.sin());
            assert!(close(right, expected), "{deg}: right {right:?}, expected {expected:?}");
        }
    }

    #[test]
    fn overlapping_detections_are_averaged_and_weak_ones_ignored() {
        let anchors = vec![(0.5, 0.5), (0.5, 0.5), (0.1, 0.1)];
        let mut reg = vec![0.0f32; 36];
        for (i, kx) in [(0usize, 10.0f32), (1, 20.0), (2, 0.0)] {
            reg[i * 12 + 2] = 50.0; // box 50x50 about the anchor
            reg[i * 12 + 3] = 50.0;
            reg[i * 12 + 4] = kx; // kp0 x offset
        }
        // Equal scores for the two overlapping ones; the third is sure but below nothing: it is far away
        // and weaker than the best.
        let d = best_detection(&anchors, &reg, &[2.0, 2.0, 1.0], MIN_SCORE).unwrap();
        assert!((d.kp[0].0 - (112.0 + 15.0)).abs() < 1e-3, "{d:?}");
        assert!(best_detection(&anchors, &reg, &[-1.0, -2.0, -0.1], MIN_SCORE).is_none());
    }
}
