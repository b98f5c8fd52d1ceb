//! The browser's camera as a frame source. The page captures with `getUserMedia` and sends JPEG frames over a
//! WebSocket; the server hands each to a [`BrowserFeed`], and the live loop reads them from a
//! [`BrowserSource`] like any camera. The feed is one frame deep: a frame not yet decoded when the next one
//! arrives is replaced (a drop), so a slow model never makes the page's frames queue up.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use super::{CaptureError, Frame, FrameSource};
use crate::slot::Slot;

/// The largest frame message accepted, in bytes. The page sends JPEGs at most 640 px wide (about 30-80 kB).
pub const MAX_FRAME_BYTES: usize = 2 * 1024 * 1024;

/// The largest frame side accepted once decoded, in pixels.
pub const MAX_FRAME_SIDE: u32 = 1920;

/// Where the WebSocket puts frames and the live loop takes them.
#[derive(Default)]
pub struct BrowserFeed {
    inbox: Slot<(Vec<u8>, Instant)>,
    /// A page is sending (only one at a time is the camera).
    connected: AtomicBool,
    received: AtomicU64,
    dropped: AtomicU64,
}

impl BrowserFeed {
    pub fn new() -> Arc<BrowserFeed> {
        Arc::new(BrowserFeed::default())
    }

    /// Claims the feed for one page; false when another page already sends.
    pub fn connect(&self) -> bool {
        !self.connected.swap(true, Ordering::SeqCst)
    }

    pub fn disconnect(&self) {
        self.connected.store(false, Ordering::SeqCst);
    }

    /// A frame from the page; true when it replaced one never decoded (a drop).
    pub fn push(&self, jpeg: Vec<u8>) -> bool {
        self.received.fetch_add(1, Ordering::Relaxed);
        let dropped = self.inbox.put((jpeg, Instant::now()));
        self.dropped.fetch_add(dropped as u64, Ordering::Relaxed);
        dropped
    }

    /// Ends the source: a waiting reader gets the end of the stream (on Ctrl-C, or at the end of the run).
    pub fn close(&self) {
        self.inbox.close();
    }

    /// Frames received from pages so far, and those replaced before they were decoded.
    pub fn counts(&self) -> (u64, u64) {
        (self.received.load(Ordering::Relaxed), self.dropped.load(Ordering::Relaxed))
    }
}

/// Reads the page's frames: decoded here, on the capture thread, not on the server's.
pub struct BrowserSource {
    feed: Arc<BrowserFeed>,
    start: Option<Instant>,
    index: u64,
}

impl BrowserSource {
    pub fn new(feed: Arc<BrowserFeed>) -> BrowserSource {
        BrowserSource { feed, start: None, index: 0 }
    }
}

impl FrameSource for BrowserSource {
    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        let Some((jpeg, arrived)) = self.feed.inbox.take() else { return Ok(None) };
        let index = self.index;
        self.index += 1;
        // Time of arrival: the page sends as the camera delivers, so this is the camera's clock, late by
        // the (loopback) transfer.
        let t = arrived.duration_since(*self.start.get_or_insert(arrived)).as_secs_f64();
        let bad = |reason: String| CaptureError::BadFrame { index, what: "browser frame".into(), reason };
        let mut reader = image::ImageReader::with_format(std::io::Cursor::new(jpeg), image::ImageFormat::Jpeg);
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(MAX_FRAME_SIDE);
        limits.max_image_height = Some(MAX_FRAME_SIDE);
        reader.limits(limits);
        let image = reader.decode().map_err(|e| bad(e.to_string()))?.to_rgb8();
        Ok(Some(Frame::image(index, t, image)))
    }

    fn fps(&self) -> f64 {
        30.0
    }

    fn describe(&self) -> String {
        "the browser's camera".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let mut out = Vec::new();
        image::RgbImage::from_pixel(w, h, image::Rgb([90, 120, 150]))
            .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Jpeg)
            .unwrap();
        out
    }

    #[test]
    fn the_newest_frame_wins_and_replaced_ones_are_counted() {
        let feed = BrowserFeed::new();
        let mut source = BrowserSource::new(feed.clone());
        assert!(!feed.push(jpeg(8, 8)));
        assert!(feed.push(jpeg(16, 8)), "a frame replacing an undecoded one is a drop");
        let f = source.next_frame().unwrap().unwrap();
        assert_eq!((f.image.width(), f.index), (16, 0));
        assert_eq!(feed.counts(), (2, 1));
    }

    #[test]
    fn oversized_or_broken_frames_are_bad_frames_and_close_ends_the_source() {
        let feed = BrowserFeed::new();
        let mut source = BrowserSource::new(feed.clone());
        feed.push(jpeg(MAX_FRAME_SIDE + 8, 8));
        assert!(source.next_frame().unwrap_err().is_bad_frame());
        feed.push(b"not a jpeg".to_vec());
        assert!(source.next_frame().unwrap_err().is_bad_frame());
        let waiting = std::thread::Builder::new()
            .name("reader".into())
            .spawn(move || source.next_frame().map(|f| f.is_none()))
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(50));
        feed.close();
        assert!(waiting.join().unwrap().unwrap(), "a closed feed ends the stream");
    }

    #[test]
    fn one_page_at_a_time_is_the_camera() {
        let feed = BrowserFeed::new();
        assert!(feed.connect());
        assert!(!feed.connect());
        feed.disconnect();
        assert!(feed.connect());
    }
}
