//! Camera frames to RGB. YUYV (4:2:2), what most webcams send uncompressed, is converted here: nokhwa's
//! own converter goes through a byte-at-a-time iterator; at 640x480 it takes 1.0-1.2 ms against 0.43-0.52 ms
//! here (2.3x, criterion, benches/pipeline.rs, same run). Every other format (MJPEG through libjpeg-turbo, NV12, grey, raw RGB/BGR) is left
//! to nokhwa, whose decoders are already fast, with corrupt data turned into an error.

use image::RgbImage;
use nokhwa::pixel_format::RgbFormat;
use nokhwa::utils::{FrameFormat, Resolution};
use nokhwa::Buffer;

/// One camera frame as RGB; the error says why it could not be.
pub fn to_rgb(format: FrameFormat, width: u32, height: u32, data: &[u8]) -> Result<RgbImage, String> {
    match format {
        FrameFormat::YUYV => {
            let expected = width as usize * height as usize * 2;
            if !width.is_multiple_of(2) || data.len() != expected {
                return Err(format!("a {width}x{height} YUYV frame has {expected} bytes, this one {}", data.len()));
            }
            let mut rgb = vec![0u8; width as usize * height as usize * 3];
            yuyv_to_rgb(data, &mut rgb);
            Ok(RgbImage::from_raw(width, height, rgb).expect("sized above"))
        }
        _ => {
            // nokhwa decodes MJPEG with mozjpeg, which reports a corrupt JPEG (a USB glitch can truncate one)
            // by unwinding rather than returning an error: catch it, so that one bad frame is skipped and
            // counted instead of ending the capture thread.
            let decode = || Buffer::new(Resolution::new(width, height), data, format).decode_image::<RgbFormat>();
            match std::panic::catch_unwind(decode) {
                Ok(decoded) => decoded.map_err(|e| e.to_string()),
                Err(_) => Err(format!("corrupt {format} data")),
            }
        }
    }
}

/// YUYV to RGB with the integer BT.601 limited-range formula nokhwa uses, so the two agree to the byte.
/// Two pixels share one (U, V) pair. Written as a plain loop over fixed-size chunks so that it vectorises.
pub fn yuyv_to_rgb(yuyv: &[u8], rgb: &mut [u8]) {
    let px = |c: i32, offset: i32| ((c + offset) >> 8).clamp(0, 255) as u8;
    for (src, dst) in yuyv.chunks_exact(4).zip(rgb.chunks_exact_mut(6)) {
        let [y0, u, y1, v] = [src[0], src[1], src[2], src[3]].map(i32::from);
        let (d, e) = (u - 128, v - 128);
        let (r, g, b) = (409 * e + 128, -100 * d - 208 * e + 128, 516 * d + 128);
        let (c0, c1) = ((y0 - 16) * 298, (y1 - 16) * 298);
        dst.copy_from_slice(&[px(c0, r), px(c0, g), px(c0, b), px(c1, r), px(c1, g), px(c1, b)]);
    }
}

/// RGB to YUYV (BT.601 limited range, chroma averaged over each pair): what a camera would send for this
/// picture. For tests and benchmarks, which have no camera.
pub fn rgb_to_yuyv(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::with_capacity(img.width() as usize * img.height() as usize * 2);
    for pair in img.as_raw().chunks_exact(6) {
        let yuv = |p: &[u8]| {
            let (r, g, b) = (p[0] as i32, p[1] as i32, p[2] as i32);
            let y = ((66 * r + 129 * g + 25 * b + 128) >> 8) + 16;
            let u = ((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128;
            let v = ((112 * r - 94 * g - 18 * b + 128) >> 8) + 128;
            (y, u, v)
        };
        let ((y0, u0, v0), (y1, u1, v1)) = (yuv(&pair[..3]), yuv(&pair[3..]));
        out.extend([y0, (u0 + u1) / 2, y1, (v0 + v1) / 2].map(|x| x.clamp(0, 255) as u8));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_of_the_wrong_size_is_an_error_not_a_panic() {
        assert!(to_rgb(FrameFormat::YUYV, 4, 2, &[0; 15]).unwrap_err().contains("16 bytes"));
        assert!(to_rgb(FrameFormat::YUYV, 3, 2, &[0; 12]).is_err());
        assert!(to_rgb(FrameFormat::MJPEG, 4, 2, b"not a jpeg").is_err());
    }

    #[test]
    fn grey_and_saturated_colours_survive_the_round_trip() {
        let mut img = RgbImage::new(4, 1);
        for (x, c) in [[128, 128, 128], [255, 0, 0], [0, 255, 0], [0, 0, 255]].into_iter().enumerate() {
            img.put_pixel(x as u32, 0, image::Rgb(c));
        }
        // Pairs of equal colours, so that shared chroma loses nothing.
        let img = image::imageops::resize(&img, 8, 1, image::imageops::FilterType::Nearest);
        let back = to_rgb(FrameFormat::YUYV, 8, 1, &rgb_to_yuyv(&img)).unwrap();
        for (a, b) in img.as_raw().iter().zip(back.as_raw()) {
            assert!((*a as i32 - *b as i32).abs() <= 3, "{:?} -> {:?}", img.as_raw(), back.as_raw());
        }
    }
}
