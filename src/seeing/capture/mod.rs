//! Frame sources: a camera, or a recording replayed from disk. All yield RGB frames with a timestamp.

pub mod browser;
pub mod camera;
pub mod convert;
pub mod replay;

use std::path::PathBuf;

use image::RgbImage;

/// One frame and when it was taken, in seconds from the start of the source.
#[derive(Debug, Clone)]
pub struct Frame {
    pub index: u64,
    pub t: f64,
    pub image: RgbImage,
    /// The pose, when the source already has it (a keypoint file, generated motion): the pose stage is
    /// skipped and `image` is empty.
    pub pose: Option<crate::seeing::pose::Pose>,
}

impl Frame {
    pub fn image(index: u64, t: f64, image: RgbImage) -> Frame {
        Frame { index, t, image, pose: None }
    }

    pub fn pose(index: u64, t: f64, pose: crate::seeing::pose::Pose) -> Frame {
        Frame { index, t, image: RgbImage::new(0, 0), pose: Some(pose) }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("{} does not exist", .0.display())]
    NotFound(PathBuf),
    #[error("no images (.{}) in folder {}", replay::IMAGE_EXTENSIONS.join(", ."), .0.display())]
    EmptyFolder(PathBuf),
    #[error("{} could not be read: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    /// One bad frame or image: skip it, count it, carry on.
    #[error("frame {index} ({what}) could not be decoded: {reason}")]
    BadFrame { index: u64, what: String, reason: String },
    #[error("video {}: {reason}", path.display())]
    Video { path: PathBuf, reason: String },
    #[error("camera: {0}")]
    Camera(String),
    /// A live source has no frame yet: ask again (meanwhile the loop sees to its controls).
    #[error("no frame yet")]
    NotYet,
}

impl CaptureError {
    /// A bad frame is skipped; everything else stops (or, for a camera, retries) the source.
    pub fn is_bad_frame(&self) -> bool {
        matches!(self, CaptureError::BadFrame { .. })
    }
}

/// Anything that yields frames in order.
pub trait FrameSource {
    /// The next frame, `Ok(None)` at the end of a recording. `Err(BadFrame)` skips one frame.
    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError>;
    /// Frames per second the source runs at, when it says.
    fn fps(&self) -> f64;
    /// What this source is, for messages.
    fn describe(&self) -> String;
}

pub use replay::open_replay;

/// Reads a picture by what it holds, not by its name (a PNG saved as `.jpg`, common in downloaded photos,
/// is read as the PNG it is), and turned the way it is shown: a phone photo stored sideways with an EXIF
/// orientation is judged upright, as the person sees it.
pub fn read_image(path: &std::path::Path) -> image::ImageResult<image::DynamicImage> {
    use image::ImageDecoder;
    let mut decoder = image::ImageReader::open(path)?.with_guessed_format()?.into_decoder()?;
    let orientation = decoder.orientation()?;
    let mut picture = image::DynamicImage::from_decoder(decoder)?;
    picture.apply_orientation(orientation);
    Ok(picture)
}
