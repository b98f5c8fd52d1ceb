//! A live camera through nokhwa (V4L2 on Linux). No camera exists on the build machines, so this is
//! compiled and type-checked there; everything downstream of it is tested through replay sources.

use std::time::Instant;

use nokhwa::pixel_format::RgbFormat;
use nokhwa::utils::{
    ApiBackend, CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType, Resolution,
};
use nokhwa::Camera;

use super::{CaptureError, Frame, FrameSource};

/// What to ask the camera for.
#[derive(Debug, Clone, Copy)]
pub struct CameraRequest {
    pub index: u32,
    pub width: u32,
    pub height: u32,
    pub fps: u32,
}

impl Default for CameraRequest {
    fn default() -> Self {
        CameraRequest { index: 0, width: 640, height: 480, fps: 30 }
    }
}

/// The cameras the system reports, as (index, name, description).
pub fn list_cameras() -> Result<Vec<(String, String, String)>, CaptureError> {
    let cams = nokhwa::query(ApiBackend::Auto).map_err(|e| CaptureError::Camera(e.to_string()))?;
    Ok(cams.into_iter().map(|c| (c.index().to_string(), c.human_name(), c.description().to_string())).collect())
}

pub struct CameraSource {
    camera: Camera,
    start: Instant,
    next: u64,
    fps: f64,
}

impl CameraSource {
    pub fn open(req: CameraRequest) -> Result<Self, CaptureError> {
        let err = |e: nokhwa::NokhwaError| CaptureError::Camera(format!("camera {}: {e}", req.index));
        // MJPEG first: at 640x480@30 most laptop cameras only reach full rate compressed.
        let wanted = CameraFormat::new(Resolution::new(req.width, req.height), FrameFormat::MJPEG, req.fps);
        let format = RequestedFormat::new::<RgbFormat>(RequestedFormatType::Closest(wanted));
        let mut camera = Camera::new(CameraIndex::Index(req.index), format).map_err(err)?;
        camera.open_stream().map_err(err)?;
        let fps = camera.frame_rate() as f64;
        Ok(CameraSource { camera, start: Instant::now(), next: 0, fps: if fps > 0.0 { fps } else { 30.0 } })
    }
}

impl FrameSource for CameraSource {
    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        let buffer = self.camera.frame().map_err(|e| CaptureError::Camera(e.to_string()))?;
        let t = self.start.elapsed().as_secs_f64();
        let index = self.next;
        self.next += 1;
        let (format, res) = (buffer.source_frame_format(), buffer.resolution());
        let image = super::convert::to_rgb(format, res.width(), res.height(), buffer.buffer())
            .map_err(|reason| CaptureError::BadFrame { index, what: format!("camera frame ({format})"), reason })?;
        Ok(Some(Frame::image(index, t, image)))
    }

    fn fps(&self) -> f64 {
        self.fps
    }

    fn describe(&self) -> String {
        format!("camera {} ({})", self.camera.index(), self.camera.camera_format())
    }
}

impl Drop for CameraSource {
    fn drop(&mut self) {
        let _ = self.camera.stop_stream();
    }
}
