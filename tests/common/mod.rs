//! Helpers shared by the integration tests: running the real binary and writing keypoint files.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use stretchcoach::seeing::pose::{Pose, PoseRecord};

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_stretchcoach"))
}

/// Runs the command, which must fail; returns what it said on stderr.
pub fn stderr_of_failing(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(!out.status.success(), "expected a failure; stdout: {}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(rel)
}

pub fn write_jsonl(path: &Path, frames: &[(f64, Pose)]) {
    let mut text = String::new();
    for (t, pose) in frames {
        let mut r = PoseRecord::from(pose);
        r.t = Some(*t);
        text.push_str(&serde_json::to_string(&r).unwrap());
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

/// Runs `check --keypoints FILE --exercise ID --json`; returns the frame lines and the summary.
pub fn check_keypoints(file: &Path, exercise: &str) -> (Vec<serde_json::Value>, serde_json::Value) {
    let out = bin().args(["check", "--json", "--exercise", exercise, "--keypoints"]).arg(file).output().unwrap();
    assert!(out.status.success(), "check failed: {}", String::from_utf8_lossy(&out.stderr));
    let mut lines: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let summary = lines.pop().expect("a summary line")["summary"].clone();
    assert!(summary.is_object(), "last line must be the summary");
    (lines, summary)
}

/// Where a person is in a committed photo, measured once by eye (see tests/model_photos.rs).
pub struct Reference {
    pub file: &'static str,
    pub size: (u32, u32),
    /// x0, y0, x1, y1 around the person.
    pub bbox: (f32, f32, f32, f32),
    pub nose: (f32, f32),
}

pub const REFERENCES: [Reference; 3] = [
    // Eileen Collins, head and shoulders to the waist.
    Reference { file: "astronaut.png", size: (512, 512), bbox: (20.0, 15.0, 365.0, 512.0), nose: (222.0, 125.0) },
    // The man on the right (Carlo Ancelotti), facing the camera; cut at the hips.
    Reference { file: "zidane.jpg", size: (1280, 720), bbox: (740.0, 40.0, 1150.0, 720.0), nose: (994.0, 200.0) },
    // The man in the dark jacket in front of the bus, whole body.
    Reference { file: "bus.jpg", size: (810, 1080), bbox: (220.0, 400.0, 345.0, 860.0), nose: (280.0, 444.0) },
];

/// Other people a single-person model may rightly pick in the same photos (Thunder takes Zidane, BlazePose's
/// detector the man in the beige coat).
pub const ALSO: [Reference; 2] = [
    // Zinedine Zidane, on the left, leaning forward and pointing (his hand reaches x = 1150); cut at the hips.
    Reference { file: "zidane.jpg", size: (1280, 720), bbox: (110.0, 190.0, 1160.0, 720.0), nose: (646.0, 366.0) },
    // The man in the beige coat on the left of the bus photo, arms folded, whole body.
    Reference { file: "bus.jpg", size: (810, 1080), bbox: (50.0, 400.0, 250.0, 905.0), nose: (138.0, 441.0) },
];

/// The person in `r`'s photo whose nose is nearest `nose`: the one the model picked.
pub fn picked(r: &Reference, nose: (f32, f32)) -> &'static Reference {
    let d = |c: &Reference| (c.nose.0 - nose.0).hypot(c.nose.1 - nose.1);
    REFERENCES.iter().chain(ALSO.iter()).filter(|c| c.file == r.file).min_by(|a, b| d(a).total_cmp(&d(b))).unwrap()
}

/// The real binary serving on a free loopback port; killed when dropped.
pub struct Server {
    child: std::process::Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Waits for the program to end by itself; None if it is still running after `timeout`.
    pub fn wait_exit(&mut self, timeout: std::time::Duration) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            if std::time::Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// Sends the program a signal (`INT`, `TERM`), as Ctrl-C or a service manager would.
    pub fn signal(&self, name: &str) {
        let ok = Command::new("kill").args(["-s", name, &self.child.id().to_string()]).status().unwrap();
        assert!(ok.success(), "kill -{name} failed");
    }
}

/// Starts `stretchcoach ARGS... --port P` and waits until `/healthz` answers.
pub fn spawn_server(args: &[&str]) -> Server {
    spawn_server_with(args, &[])
}

/// [`spawn_server`] with these environment variables set for it.
pub fn spawn_server_with(args: &[&str], env: &[(&str, &str)]) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = bin()
        .envs(env.iter().copied())
        .args(args)
        .args(["--port", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let server = Server { child, base: format!("http://127.0.0.1:{port}") };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while ureq::get(&format!("{}/healthz", server.base)).call().is_err() {
        assert!(std::time::Instant::now() < deadline, "server did not come up");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    server
}

/// A GET answered with JSON, which must succeed.
pub fn get_json(url: &str) -> serde_json::Value {
    serde_json::from_str(&ureq::get(url).call().unwrap().into_string().unwrap()).unwrap()
}

/// An empty folder of its own for one test (`tag` names the test file and the case; one left by an earlier run
/// whose process had the same id is emptied).
pub fn scratch_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("stretchcoach-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs the binary with `args`, which must succeed; its standard output.
pub fn run_ok(args: &[&str]) -> String {
    let out = bin().args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Replays a keypoint file flat out into `db`, as a user would (`replay FILE --exit`).
pub fn replay_into(db: &Path, file: &Path) {
    run_ok(&[
        "replay",
        file.to_str().unwrap(),
        "--exercise",
        "bridge",
        "--exit",
        "--quiet",
        "--voice=false",
        "--port",
        "0",
        "--db",
        db.to_str().unwrap(),
    ]);
}

/// `replay FILE --realtime --exercise bridge`, silent: a bridge session played at its own pace.
pub fn bridge_replay(file: &Path) -> Vec<String> {
    let file = file.to_str().unwrap();
    ["replay", file, "--realtime", "--exercise", "bridge", "--quiet", "--voice=false"].map(String::from).to_vec()
}

/// A path in a folder of one test file's own (`suite`), made once and shared by its tests. The folder is named
/// by the process id, which the system hands out again: one left by an earlier run is emptied on first use, or its
/// files (a history database with that run's sessions) would be read as this run's.
pub fn scratch_file(suite: &str, name: &str) -> PathBuf {
    static EMPTIED: std::sync::Mutex<std::collections::BTreeSet<String>> =
        std::sync::Mutex::new(std::collections::BTreeSet::new());
    let d = std::env::temp_dir().join(format!("stretchcoach-{suite}-{}", std::process::id()));
    let mut emptied = EMPTIED.lock().unwrap_or_else(|e| e.into_inner());
    if emptied.insert(suite.to_string()) {
        let _ = std::fs::remove_dir_all(&d);
    }
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

/// Where tests leave what a person should look at (screenshots): target/test-artifacts.
pub fn artifacts() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-artifacts");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Headless Chromium as the tests run it (no network chatter, no sandbox as root), with a window of `size`
/// ("W,H") and the profile folder `profile`.
pub fn chromium_command(size: &str, profile: &Path) -> Command {
    let mut c = Command::new("chromium");
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ])
    .arg(format!("--window-size={size}"))
    .arg(format!("--user-data-dir={}", profile.display()));
    c
}

/// Headless Chromium with a throwaway profile, a window of `size` ("W,H"), and `args`.
pub fn chromium_sized(size: &str, args: &[&str]) -> std::process::Output {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static RUN: AtomicUsize = AtomicUsize::new(0);
    let n = RUN.fetch_add(1, Ordering::Relaxed);
    let profile = std::env::temp_dir().join(format!("stretchcoach-chromium-{}-h{n}", std::process::id()));
    let out = chromium_command(size, &profile)
        .args(args)
        .output()
        .expect("chromium is needed for this test: run scripts/provision.sh (Debian package chromium)");
    let _ = std::fs::remove_dir_all(profile);
    out
}

/// Chromium's DOM of `url` once loaded.
pub fn dump_dom(url: &str) -> String {
    String::from_utf8_lossy(&chromium_sized("1100,900", &["--dump-dom", url]).stdout).into_owned()
}

/// A screenshot of `url` saved as `name` among the artifacts; its path.
pub fn screenshot(url: &str, name: &str, size: &str) -> PathBuf {
    let shot = artifacts().join(name);
    let _ = std::fs::remove_file(&shot);
    let out = chromium_sized(size, &[&format!("--screenshot={}", shot.display()), url]);
    assert!(shot.exists(), "no screenshot of {url}: {}", String::from_utf8_lossy(&out.stderr));
    shot
}
