//! Replaying a recording: one image, a folder of images in name order, or a video decoded by ffmpeg.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

use image::RgbImage;

use super::{CaptureError, Frame, FrameSource};

/// Frame rate assumed for image folders (and the keypoint-file default): a typical webcam.
pub const DEFAULT_FPS: f64 = 30.0;

/// Seconds one photo is judged for, as a person holding still that long: one frame names no stretch, and no
/// fault lasts long enough in it to be told.
pub const PHOTO_HOLD: f64 = 4.0;

/// Frames of a photo held still for `seconds` at a camera's [`DEFAULT_FPS`] (at least one).
pub fn held_frames(seconds: f64) -> usize {
    (seconds * DEFAULT_FPS).round().max(1.0) as usize
}

/// Photos, decoded by `image` (a file's contents decide its format, not its name: a WebP saved as .jpg reads).
pub const IMAGE_EXTENSIONS: [&str; 9] = ["jpg", "jpeg", "jpe", "jfif", "png", "webp", "bmp", "tif", "tiff"];

/// Videos, decoded by ffmpeg. A GIF is one of them: exercise sites show their moves as animated GIFs, and a
/// GIF of one frame is a photo ([`is_still`]).
pub const VIDEO_EXTENSIONS: [&str; 13] =
    ["mp4", "webm", "mkv", "avi", "mov", "m4v", "gif", "mpg", "mpeg", "ogv", "wmv", "flv", "3gp"];

fn extension(path: &Path) -> String {
    path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase()
}

pub fn is_image_path(path: &Path) -> bool {
    IMAGE_EXTENSIONS.contains(&extension(path).as_str())
}

pub fn is_video_path(path: &Path) -> bool {
    VIDEO_EXTENSIONS.contains(&extension(path).as_str())
}

/// One picture, to be judged as a person holding still: a photo, or a GIF of a single frame.
pub fn is_still(path: &Path) -> Result<bool, CaptureError> {
    if is_image_path(path) {
        return Ok(true);
    }
    if extension(path) != "gif" {
        return Ok(false);
    }
    let mut gif = Video::open(path)?;
    Ok(gif.next_frame()?.is_some() && gif.next_frame()?.is_none())
}

/// Opens `path` as the replay source it looks like: a folder of images, one image, or a video.
pub fn open_replay(path: &Path) -> Result<Box<dyn FrameSource + Send>, CaptureError> {
    if !path.exists() {
        return Err(CaptureError::NotFound(path.to_path_buf()));
    }
    if path.is_dir() {
        Ok(Box::new(ImageFolder::open(path, DEFAULT_FPS)?))
    } else if is_image_path(path) {
        Ok(Box::new(ImageFolder::from_paths(vec![path.to_path_buf()], DEFAULT_FPS)))
    } else {
        Ok(Box::new(Video::open(path)?))
    }
}

/// Images replayed in file-name order at a fixed frame rate.
pub struct ImageFolder {
    paths: Vec<PathBuf>,
    next: usize,
    fps: f64,
}

impl ImageFolder {
    pub fn open(dir: &Path, fps: f64) -> Result<Self, CaptureError> {
        let io = |source| CaptureError::Io { path: dir.to_path_buf(), source };
        let mut paths = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let path = entry.map_err(io)?.path();
            if path.is_file() && is_image_path(&path) {
                paths.push(path);
            }
        }
        if paths.is_empty() {
            return Err(CaptureError::EmptyFolder(dir.to_path_buf()));
        }
        paths.sort();
        Ok(Self::from_paths(paths, fps))
    }

    pub fn from_paths(paths: Vec<PathBuf>, fps: f64) -> Self {
        ImageFolder { paths, next: 0, fps }
    }

    pub fn len(&self) -> usize {
        self.paths.len()
    }

    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }
}

impl FrameSource for ImageFolder {
    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        let Some(path) = self.paths.get(self.next) else { return Ok(None) };
        let index = self.next as u64;
        self.next += 1;
        let image = super::read_image(path).map_err(|e| CaptureError::BadFrame {
            index,
            what: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Ok(Some(Frame::image(index, index as f64 / self.fps, image.to_rgb8())))
    }

    fn fps(&self) -> f64 {
        self.fps
    }

    fn describe(&self) -> String {
        match self.paths.as_slice() {
            [] => "no images".into(),
            [one] => format!("image {}", one.display()),
            many => format!("{} images from {}", many.len(), many[0].parent().unwrap_or(Path::new(".")).display()),
        }
    }
}

/// One picture replayed as a camera would show a person holding still: the same frame for `seconds`, at 30 fps.
#[derive(Clone)]
pub struct Still {
    image: RgbImage,
    frames: u64,
    next: u64,
    what: String,
}

impl Still {
    pub fn open(path: &Path, seconds: f64) -> Result<Self, CaptureError> {
        let first = open_replay(path)?.next_frame()?;
        let image =
            first.ok_or_else(|| CaptureError::Video { path: path.to_path_buf(), reason: "no frame in it".into() })?;
        let frames = held_frames(seconds) as u64;
        Ok(Still { image: image.image, frames, next: 0, what: format!("{} held still {seconds} s", path.display()) })
    }
}

impl FrameSource for Still {
    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        if self.next >= self.frames {
            return Ok(None);
        }
        let index = self.next;
        self.next += 1;
        Ok(Some(Frame::image(index, index as f64 / DEFAULT_FPS, self.image.clone())))
    }

    fn fps(&self) -> f64 {
        DEFAULT_FPS
    }

    fn describe(&self) -> String {
        self.what.clone()
    }
}

/// A video file decoded to raw RGB by ffmpeg (any container and codec ffmpeg reads: mp4, webm, mkv, avi, gif).
pub struct Video {
    path: PathBuf,
    child: Child,
    stdout: ChildStdout,
    width: u32,
    height: u32,
    fps: f64,
    next: u64,
}

impl Video {
    pub fn open(path: &Path) -> Result<Self, CaptureError> {
        let video_err = |reason: String| CaptureError::Video { path: path.to_path_buf(), reason };
        let missing = |tool: &str, e: std::io::Error| {
            video_err(format!("could not run {tool} ({e}); install ffmpeg to replay videos (Debian: apt-get install ffmpeg), or replay a folder of images"))
        };
        let probe = Command::new("ffprobe")
            .args([
                "-v",
                "error",
                "-select_streams",
                "v:0",
                "-show_entries",
                "stream=width,height,r_frame_rate:stream_side_data=rotation:stream_tags=rotate",
                "-of",
                "json",
            ])
            .arg(path)
            .output()
            .map_err(|e| missing("ffprobe", e))?;
        if !probe.status.success() {
            let msg = String::from_utf8_lossy(&probe.stderr).trim().to_string();
            return Err(video_err(format!("not a readable video ({msg})")));
        }
        let text = String::from_utf8_lossy(&probe.stdout);
        let (width, height, fps) = parse_probe(text.trim())
            .ok_or_else(|| video_err(format!("no video stream found (ffprobe said {:?})", text.trim())))?;
        let mut child = Command::new("ffmpeg")
            .args(["-v", "error", "-nostdin", "-i"])
            .arg(path)
            .args(["-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| missing("ffmpeg", e))?;
        let stdout = child.stdout.take().expect("stdout was piped");
        Ok(Video { path: path.to_path_buf(), child, stdout, width, height, fps, next: 0 })
    }
}

/// Parses ffprobe's JSON for the first video stream: the size of the frames ffmpeg will give (turned the
/// way the video is shown: a phone video shot upright is stored sideways with a rotation that ffmpeg applies
/// when decoding) and the frame rate.
fn parse_probe(json: &str) -> Option<(u32, u32, f64)> {
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    let stream = v["streams"].get(0)?;
    let width = u32::try_from(stream["width"].as_u64()?).ok()?;
    let height = u32::try_from(stream["height"].as_u64()?).ok()?;
    // ffmpeg 5+ gives a display matrix's rotation in the side data; older files and tools a "rotate" tag.
    let side = stream["side_data_list"].as_array().into_iter().flatten().find_map(|d| d["rotation"].as_f64());
    let tag = stream["tags"]["rotate"].as_str().and_then(|r| r.trim().parse::<f64>().ok());
    let quarter_turn = side.or(tag).is_some_and(|r| (r.round() as i64).rem_euclid(180) == 90);
    let (width, height) = if quarter_turn { (height, width) } else { (width, height) };
    let rate = stream["r_frame_rate"].as_str().unwrap_or("30/1").trim();
    let fps = match rate.split_once('/') {
        Some((n, d)) => n.parse::<f64>().ok()? / d.parse::<f64>().ok()?,
        None => rate.parse().ok()?,
    };
    let fps = if fps.is_finite() && fps > 0.0 { fps } else { DEFAULT_FPS };
    (width > 0 && height > 0).then_some((width, height, fps))
}

impl FrameSource for Video {
    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        let mut buf = vec![0u8; self.width as usize * self.height as usize * 3];
        let mut filled = 0;
        while filled < buf.len() {
            match self.stdout.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(source) => return Err(CaptureError::Io { path: self.path.clone(), source }),
            }
        }
        if filled < buf.len() {
            // End of stream (a truncated last frame is dropped with it).
            return Ok(None);
        }
        let index = self.next;
        self.next += 1;
        let image = RgbImage::from_raw(self.width, self.height, buf).expect("buffer sized to the frame");
        Ok(Some(Frame::image(index, index as f64 / self.fps, image)))
    }

    fn fps(&self) -> f64 {
        self.fps
    }

    fn describe(&self) -> String {
        format!("video {} ({}x{} at {:.1} fps)", self.path.display(), self.width, self.height, self.fps)
    }
}

impl Drop for Video {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_lines_parse() {
        let probe = |extra: &str, rate: &str, w: u32| {
            parse_probe(&format!(
                r#"{{"streams": [{{"width": {w}, "height": 360, "r_frame_rate": "{rate}"{extra}}}]}}"#
            ))
        };
        assert_eq!(probe("", "30/1", 640), Some((640, 360, 30.0)));
        assert_eq!(probe("", "30000/1001", 640).map(|p| (p.2 * 1000.0).round()), Some(29970.0));
        assert_eq!(probe("", "0/0", 640).map(|p| p.2), Some(DEFAULT_FPS));
        assert_eq!(probe("", "30/1", 0), None);
        assert_eq!(parse_probe("garbage"), None);
        assert_eq!(parse_probe(r#"{"streams": []}"#), None);
        // Shot upright on a phone: stored 640x360, shown (and decoded by ffmpeg) 360x640.
        assert_eq!(probe(r#", "side_data_list": [{"rotation": -90}]"#, "30/1", 640), Some((360, 640, 30.0)));
        assert_eq!(probe(r#", "tags": {"rotate": "270"}"#, "30/1", 640), Some((360, 640, 30.0)));
        assert_eq!(probe(r#", "side_data_list": [{"rotation": 180}]"#, "30/1", 640), Some((640, 360, 30.0)));
    }
}
