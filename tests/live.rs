//! The live experience: the loop under a slow model, the event stream and controls over real HTTP,
//! the page in a real headless browser, and the voice rendered to sound.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{artifacts, spawn_server, Server};
use stretchcoach::coaching::session::{Plan, Session};
use stretchcoach::exercise;
use stretchcoach::running::hub::Hub;
use stretchcoach::running::live::{self, LiveLoop, LoopOptions, Opener};
use stretchcoach::seeing::capture::{open_replay, FrameSource};
use stretchcoach::seeing::pose::model::ModelOptions;
use stretchcoach::seeing::pose::PoseStage;
use stretchcoach::seeing::pose::{ModelError, Pose, PoseModel};

fn walk() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("recordings/walk")
}

/// The real model on one thread, slower than the camera until it is given more threads.
struct Behind {
    model: PoseModel,
    delay: Duration,
    /// Frames seen each time the loop asked for more threads.
    asked_at: Arc<std::sync::Mutex<Vec<usize>>>,
    seen: usize,
}

impl PoseStage for Behind {
    fn estimate(&mut self, frame: &image::RgbImage) -> Result<Pose, ModelError> {
        self.seen += 1;
        std::thread::sleep(self.delay);
        self.model.estimate(frame)
    }
    fn widen(&mut self) -> Result<bool, ModelError> {
        self.asked_at.lock().unwrap().push(self.seen);
        self.delay = Duration::ZERO;
        self.model.widen()
    }
}

#[test]
fn a_model_behind_its_camera_is_given_more_threads_once_and_a_file_judged_flat_out_never() {
    for realtime in [true, false] {
        let hub = Hub::new(exercise::built_in());
        let (_tx, rx) = live::controls();
        let open: Opener = Box::new(|| open_replay(&walk()).map(|s| s as Box<dyn FrameSource>));
        let model = PoseModel::bundled(ModelOptions { threads: 1, spin: false, widen: true }).unwrap();
        let asked_at = Arc::new(std::sync::Mutex::new(Vec::new()));
        let stage = Behind { model, delay: Duration::from_millis(45), asked_at: asked_at.clone(), seen: 0 };
        let session = Session::with_plan(Plan::Auto(exercise::built_in()));
        let options = LoopOptions { realtime, retry_up_to: None, record: None };
        LiveLoop::start(open, options, Box::new(stage), session, hub.clone(), rx, Box::new(|_, _, _| {})).join();
        let (asked, s) = (asked_at.lock().unwrap().clone(), hub.status().stats);
        if realtime {
            // 45 ms a frame or more against the camera's 33: asked once, after its first 10 frames, however busy
            // the machine (a busier one only makes the model slower). How many frames it then keeps up with
            // depends on the machine, so it is not asserted (31 of 60 are judged when it is never asked).
            assert_eq!(asked, vec![10], "{s:?}");
        } else {
            assert_eq!((asked, s.processed), (vec![], 60), "judged frame by frame, flat out: {s:?}");
        }
    }
}

/// The real model, made slower than the camera on purpose.
struct Slow {
    model: PoseModel,
    delay: Duration,
}

impl PoseStage for Slow {
    fn estimate(&mut self, frame: &image::RgbImage) -> Result<Pose, ModelError> {
        std::thread::sleep(self.delay);
        self.model.estimate(frame)
    }
}

#[test]
fn a_slow_model_drops_frames_instead_of_falling_behind() {
    let hub = Hub::new(exercise::built_in());
    let (_tx, rx) = live::controls();
    let open: Opener = Box::new(|| open_replay(&walk()).map(|s| s as Box<dyn FrameSource>));
    let model = PoseModel::bundled(ModelOptions::default()).unwrap();
    let delay = Duration::from_millis(80);
    let session = Session::with_plan(Plan::Auto(exercise::built_in()));
    let latencies = Arc::new(std::sync::Mutex::new(Vec::new()));
    let l2 = latencies.clone();
    let lp = LiveLoop::start(
        open,
        LoopOptions { realtime: true, retry_up_to: None, record: None },
        Box::new(Slow { model, delay }),
        session,
        hub.clone(),
        rx,
        Box::new(move |_, _, s| l2.lock().unwrap().push(s.latency_ms)),
    );
    lp.join();
    let s = hub.status().stats;
    // 60 frames at 30 fps against a model taking over 80 ms: about two in three must be dropped.
    assert_eq!(s.captured, 60);
    assert_eq!(s.processed + s.dropped, s.captured, "{s:?}");
    assert!(s.dropped >= 25, "{s:?}");
    // Latency stays within about one model run plus one frame, and does not grow over the run. A loop that queued
    // frames instead would fall behind by the run's excess over a frame's 33 ms on every frame, over a second by
    // the end; a busy machine slows a run or two by tens of milliseconds (a CI run beside other work: +47 ms), so
    // growth is allowed up to one model run, as measured in this run.
    let l = latencies.lock().unwrap().clone();
    let run_ms = delay.as_secs_f64() * 1e3 + s.model_ms_median;
    let bound = 2.0 * run_ms + 34.0;
    assert!(s.latency_ms_p95 < bound, "p95 {} ms over {bound} ms: {s:?}", s.latency_ms_p95);
    let (first, last) = (&l[..5], &l[l.len() - 5..]);
    let avg = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64;
    assert!(avg(last) < avg(first) + run_ms, "latency grew from {first:?} to {last:?} (a run: {run_ms} ms)");
    assert!(!hub.status().running);
}

fn replay(args: &[&str]) -> Server {
    let mut all = vec!["replay", "--realtime", "--voice=false", "--quiet", "--no-history"];
    all.extend_from_slice(args);
    spawn_server(&all)
}

fn status(base: &str) -> serde_json::Value {
    common::get_json(&format!("{base}/api/status"))
}

fn wait_finished(base: &str) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let s = status(base);
        if s["running"] == false && s["seq"].as_u64().unwrap_or(0) > 0 {
            return s;
        }
        assert!(Instant::now() < deadline, "replay did not finish: {s}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn events_stream_judgements_and_the_stretch_can_be_switched() {
    let server = replay(&[walk().to_str().unwrap(), "--exercise", "bridge"]);
    let resp = ureq::get(&format!("{}/api/events", server.base)).call().unwrap();
    assert_eq!(resp.header("content-type"), Some("text/event-stream"));
    let mut lines = BufReader::new(resp.into_reader()).lines();
    let mut events: Vec<serde_json::Value> = Vec::new();
    let mut switched = false;
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        let Some(Ok(line)) = lines.next() else { break };
        let Some(data) = line.strip_prefix("data: ") else { continue };
        let e: serde_json::Value = serde_json::from_str(data).unwrap();
        let running = e["running"] == true;
        events.push(e);
        if !switched && events.len() >= 5 {
            // /api/status answers while the loop runs, and the stretch can be changed from outside.
            assert_eq!(status(&server.base)["running"], true);
            let r = ureq::post(&format!("{}/api/session/exercise", server.base))
                .send_json(serde_json::json!({"exercise": "childs-pose"}))
                .unwrap();
            assert_eq!(r.status(), 200);
            switched = true;
        }
        if !running && events.len() > 5 {
            break;
        }
    }
    assert!(events.len() >= 15, "only {} events", events.len());
    let seqs: Vec<u64> = events.iter().filter(|e| e["running"] == true).map(|e| e["seq"].as_u64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[1] > w[0]), "sequence numbers must rise: {seqs:?}");
    let judged = events.iter().find(|e| e["status"]["prompt"].is_string()).expect("a judgement with a prompt");
    assert_eq!(judged["pose"]["keypoints"].as_array().unwrap().len(), 17);
    assert_eq!(events[1]["status"]["exercise"], "bridge");
    assert_eq!(events.last().unwrap()["status"]["exercise"], "childs-pose", "the switch took effect");
    // Unknown stretches and bad bodies are refused with a reason.
    match ureq::post(&format!("{}/api/session/exercise", server.base))
        .send_json(serde_json::json!({"exercise": "handstand"}))
    {
        Err(ureq::Error::Status(code, _)) => assert!(code == 404 || code == 409, "{code}"),
        other => panic!("{other:?}"),
    }
    let done = wait_finished(&server.base);
    let stats = &done["stats"];
    assert_eq!(stats["processed"].as_u64().unwrap() + stats["dropped"].as_u64().unwrap(), 60, "{stats}");
    assert!(stats["latency_ms_p95"].as_f64().unwrap() > 0.0);
}

#[test]
fn stop_ends_the_session_early_and_keeps_the_summary() {
    let server = replay(&[walk().to_str().unwrap(), "--exercise", "bridge"]);
    std::thread::sleep(Duration::from_millis(500));
    let r = ureq::post(&format!("{}/api/session/stop", server.base)).call().unwrap();
    assert_eq!(r.status(), 200);
    let done = wait_finished(&server.base);
    let processed = done["stats"]["processed"].as_u64().unwrap();
    assert!(processed < 50, "stopped after {processed} frames");
    let summary: serde_json::Value = serde_json::from_str(
        &ureq::get(&format!("{}/api/session", server.base)).call().unwrap().into_string().unwrap(),
    )
    .unwrap();
    assert_eq!(summary["exercise"], "bridge");
}

fn chromium(args: &[&str]) -> std::process::Output {
    common::chromium_sized("1100,800", args)
}

/// The page at `base` as a real browser draws it, saved under the test artifacts as `name`.
fn screenshot(base: &str, name: &str) -> (std::path::PathBuf, image::RgbImage) {
    let shot = artifacts().join(name);
    let _ = std::fs::remove_file(&shot);
    let out = chromium(&[&format!("--screenshot={}", shot.display()), &format!("{base}/")]);
    assert!(shot.exists(), "no screenshot: {}", String::from_utf8_lossy(&out.stderr));
    let img = image::open(&shot).unwrap().to_rgb8();
    (shot, img)
}

/// A pixel within 40 of colour `c` in every channel.
fn near(p: &image::Rgb<u8>, c: [u8; 3]) -> bool {
    p.0.iter().zip(c).all(|(a, b)| (*a as i32 - b as i32).abs() < 40)
}

#[test]
fn the_page_shows_the_skeleton_over_the_frame_and_the_prompt_in_a_real_browser() {
    let server = replay(&[walk().to_str().unwrap(), "--exercise", "bridge"]);
    wait_finished(&server.base);
    let (shot, img) = screenshot(&server.base, "live-page.png");
    let bones = img.pixels().filter(|p| near(p, [0, 229, 255])).count();
    let joints =
        img.pixels().filter(|p| near(p, [46, 204, 64]) || near(p, [255, 65, 54]) || near(p, [127, 219, 255])).count();
    // The frame itself: the walk clip's greens and sky, not a blank canvas.
    let dark = img.pixels().filter(|p| p.0.iter().all(|c| *c < 30)).count();
    assert!(bones > 150, "skeleton lines not drawn ({bones} px); see {}", shot.display());
    assert!(joints > 50, "joints not drawn ({joints} px)");
    assert!(dark < (img.width() * img.height()) as usize / 3, "the camera frame is missing (mostly black)");
    let dom = chromium(&["--dump-dom", &format!("{}/", server.base)]);
    let html = String::from_utf8_lossy(&dom.stdout);
    assert!(html.contains("Lie on your back with your knees bent"), "prompt not rendered: {html}");
    assert!(html.contains("stop if you feel any pain"), "safety note missing");
    assert!(html.contains("dropped"), "stats missing");
}

#[test]
fn the_page_draws_the_feet_and_the_back_of_a_real_bridge() {
    let clip = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real/bridge/pexels-6525487-glute-bridge.mp4");
    // Every frame judged, in order (not at the clip's pace, where a busy machine would drop frames and
    // change which one is last).
    let args = ["replay", "--voice=false", "--quiet", "--no-history", "--exercise", "bridge"];
    let server = spawn_server(&[&args[..], &[clip.to_str().unwrap()]].concat());
    let last = wait_finished(&server.base);
    // The last frame is the top of a lift: the back's outline and curve are seen, and judged good.
    let pose = &last["pose"];
    assert!(pose["back"].as_array().is_some_and(|b| b.len() >= 6), "no back outline: {pose}");
    assert!(pose["back_curve"].is_number(), "{pose}");
    let back = last["status"]["checks"].as_array().unwrap().iter().find(|c| c["id"] == "back-arch").cloned();
    assert_eq!(
        back.as_ref().map(|c| (&c["joints"][0], &c["status"])),
        Some((&"back".into(), &"good".into())),
        "{back:?}"
    );
    let (shot, img) = screenshot(&server.base, "live-page-bridge.png");
    // Heels and toes are drawn in yellow, which nothing else on the page is.
    let feet = img.pixels().filter(|p| near(p, [255, 220, 0])).count();
    assert!(feet > 100, "feet not drawn ({feet} px); see {}", shot.display());
}

/// Seconds and loudness (RMS) of a 16-bit mono WAV from espeak-ng.
fn heard(wav: &Path) -> (f64, f64) {
    let bytes = std::fs::read(wav).unwrap();
    assert_eq!(&bytes[..4], b"RIFF");
    // 16-bit mono PCM after the 44-byte header.
    let samples: Vec<i16> = bytes[44..].chunks_exact(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect();
    let rate = u32::from_le_bytes(bytes[24..28].try_into().unwrap());
    let rms = (samples.iter().map(|s| (*s as f64).powi(2)).sum::<f64>() / samples.len().max(1) as f64).sqrt();
    (samples.len() as f64 / rate as f64, rms)
}

/// The speaker thread itself, recording instead of playing: prompts given while one is being said wait,
/// only the newest of them is said next, and the last one is said before the voice is dropped.
#[test]
fn the_voice_says_the_newest_prompt_aloud_and_never_falls_behind() {
    assert!(stretchcoach::running::voice::available(), "espeak-ng (scripts/provision.sh installs it)");
    let dir = artifacts().join("voice");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let voice = stretchcoach::running::voice::Voice::recording(&dir);
    voice.say("One");
    voice.say("Two");
    voice.say("Lift your hips higher, and keep your shoulders on the floor");
    drop(voice);
    let mut wavs: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    wavs.sort();
    // "Two" was replaced while waiting; "One" is said only if the thread took it before the others came.
    assert!((1..=2).contains(&wavs.len()), "{wavs:?}");
    let (seconds, rms) = heard(wavs.last().unwrap());
    assert!(seconds > 2.0 && seconds < 8.0, "the last prompt is the long one: {seconds} s");
    assert!(rms > 300.0, "silent: rms {rms}");
    for w in &wavs[..wavs.len() - 1] {
        assert!(heard(w).0 < 1.5, "a short word: {w:?}");
    }
}
