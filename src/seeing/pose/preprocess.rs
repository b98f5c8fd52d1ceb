//! Sampling a frame into the model's square input through an affine map, so that letterboxing,
//! cropping around the person and rotating a lying body upright are the same one cheap pass.

use image::RgbImage;
use ndarray::Array4;

/// Maps model-input pixel coordinates (u, v) to source-image pixel coordinates (x, y):
/// `x = ox + a*u + b*v`, `y = oy + c*u + d*v`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InputMap {
    pub ox: f32,
    pub oy: f32,
    pub a: f32,
    pub b: f32,
    pub c: f32,
    pub d: f32,
}

impl InputMap {
    /// The whole frame, padded to a centred square, scaled to `size`.
    pub fn letterbox(width: u32, height: u32, size: usize) -> Self {
        let side = width.max(height) as f32;
        Self::square(width as f32 / 2.0, height as f32 / 2.0, side, 0.0, size)
    }

    /// A square of `side` source pixels centred on (cx, cy), turned by `angle` radians (the model sees the
    /// content rotated by -angle, so a body lying along `angle` appears upright when angle is chosen so).
    pub fn square(cx: f32, cy: f32, side: f32, angle: f32, size: usize) -> Self {
        let s = side / size as f32;
        let (sin, cos) = angle.sin_cos();
        let (a, b, c, d) = (cos * s, -sin * s, sin * s, cos * s);
        let half = size as f32 / 2.0;
        InputMap { ox: cx - a * half - b * half, oy: cy - c * half - d * half, a, b, c, d }
    }

    pub fn apply(&self, u: f32, v: f32) -> (f32, f32) {
        (self.ox + self.a * u + self.b * v, self.oy + self.c * u + self.d * v)
    }
}

/// Fills `out` (size*size*3, RGB, row-major) by bilinear sampling; outside the frame is black.
/// Bilinear without antialiasing matches how MoveNet was trained (tf.image.resize).
pub fn sample_into(frame: &RgbImage, map: &InputMap, size: usize, out: &mut [u8]) {
    assert_eq!(out.len(), size * size * 3, "output buffer must hold size*size*3 bytes");
    if map.b == 0.0 && map.c == 0.0 {
        sample_axis_aligned(frame, map, size, out);
    } else {
        sample_general(frame, map, size, out);
    }
}

/// A model's input: one RGB image, NHWC ([1, size, size, 3]), the layout every model here takes.
pub type InputTensor<T> = Array4<T>;

/// A zeroed input tensor for a model taking `size` x `size` images.
pub fn input_tensor<T: Clone + Default>(size: usize) -> InputTensor<T> {
    Array4::from_elem((1, size, size, 3), T::default())
}

/// Fills `tensor` from sampled RGB bytes of the same shape (size*size*3, from [`sample_into`]), each
/// byte turned into what the model takes by `convert` (its type, its value range).
pub fn fill_tensor<T>(tensor: &mut InputTensor<T>, rgb: &[u8], convert: impl Fn(u8) -> T) {
    // One flat pass: tensors made by `input_tensor` are contiguous, and a slice loop is what the compiler
    // vectorises best (ndarray's `Zip` measured up to a fifth slower on this loop).
    let out = tensor.as_slice_mut().expect("input tensors are contiguous");
    assert_eq!(out.len(), rgb.len(), "the RGB buffer has the tensor's shape");
    out.iter_mut().zip(rgb).for_each(|(o, &p)| *o = convert(p));
}

/// One source coordinate's two neighbours and the weight of the second, in 1/256ths; None outside.
#[derive(Clone, Copy)]
struct Tap {
    i0: usize,
    i1: usize,
    w: u32,
}

fn taps(origin: f32, scale: f32, n: usize, limit: u32) -> Vec<Option<Tap>> {
    (0..n)
        .map(|u| {
            let x = origin + scale * (u as f32 + 0.5) - 0.5;
            // Outside the frame by more than half a pixel: padding.
            if x < -0.5 || x > limit as f32 - 0.5 {
                return None;
            }
            let x = x.clamp(0.0, (limit - 1) as f32);
            let x0 = x.floor();
            let i0 = x0 as usize;
            let i1 = (i0 + 1).min(limit as usize - 1);
            Some(Tap { i0, i1, w: ((x - x0) * 256.0).round() as u32 })
        })
        .collect()
}

/// The common case (letterbox or crop, no rotation): the filter is separable, so each row and column's
/// neighbours and weights are worked out once, and the inner loop is integer arithmetic only.
/// About 8x faster than the general path at 640x480 (see benches/pipeline.rs).
fn sample_axis_aligned(frame: &RgbImage, map: &InputMap, size: usize, out: &mut [u8]) {
    let (w, h) = (frame.width(), frame.height());
    let src = frame.as_raw();
    let stride = w as usize * 3;
    let cols = taps(map.ox, map.a, size, w);
    let rows = taps(map.oy, map.d, size, h);
    for (v, row) in rows.iter().enumerate() {
        let line = &mut out[v * size * 3..(v + 1) * size * 3];
        let Some(ry) = row else {
            line.fill(0);
            continue;
        };
        let (r0, r1) = (&src[ry.i0 * stride..][..stride], &src[ry.i1 * stride..][..stride]);
        let (wy1, wy0) = (ry.w, 256 - ry.w);
        for (px, col) in line.chunks_exact_mut(3).zip(&cols) {
            let Some(cx) = col else {
                px.fill(0);
                continue;
            };
            let (a, b) = (cx.i0 * 3, cx.i1 * 3);
            let (wx1, wx0) = (cx.w, 256 - cx.w);
            for ch in 0..3 {
                let top = r0[a + ch] as u32 * wx0 + r0[b + ch] as u32 * wx1;
                let bottom = r1[a + ch] as u32 * wx0 + r1[b + ch] as u32 * wx1;
                px[ch] = ((top * wy0 + bottom * wy1 + (1 << 15)) >> 16) as u8;
            }
        }
    }
}

/// Any affine map (rotations): per-pixel bilinear sampling, walking each output row with a fixed-point
/// source position (1/65536 pixel) and 8-bit weights, as the axis-aligned path does: no float per pixel.
fn sample_general(frame: &RgbImage, map: &InputMap, size: usize, out: &mut [u8]) {
    const ONE: f64 = 65536.0;
    let (w, h) = (frame.width() as i64, frame.height() as i64);
    let src = frame.as_raw();
    let stride = w as usize * 3;
    let fixed = |x: f64| (x * ONE).round() as i64;
    let (da, dc) = (fixed(map.a as f64), fixed(map.c as f64));
    for v in 0..size {
        // Pixel centres: sample at (u+0.5, v+0.5) and shift back by half a source pixel.
        let (x, y) = map.apply(0.5, v as f32 + 0.5);
        let (mut fx, mut fy) = (fixed(x as f64 - 0.5), fixed(y as f64 - 0.5));
        let line = &mut out[v * size * 3..(v + 1) * size * 3];
        for px in line.chunks_exact_mut(3) {
            let (x0, y0) = (fx >> 16, fy >> 16);
            let (wx1, wy1) = (((fx & 0xffff) >> 8) as u32, ((fy & 0xffff) >> 8) as u32);
            let (wx0, wy0) = (256 - wx1, 256 - wy1);
            if x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h {
                let i = y0 as usize * stride + x0 as usize * 3;
                let (r0, r1) = (&src[i..i + 6], &src[i + stride..i + stride + 6]);
                for ch in 0..3 {
                    let top = r0[ch] as u32 * wx0 + r0[ch + 3] as u32 * wx1;
                    let bottom = r1[ch] as u32 * wx0 + r1[ch + 3] as u32 * wx1;
                    px[ch] = ((top * wy0 + bottom * wy1 + (1 << 15)) >> 16) as u8;
                }
            } else {
                // At the frame's edge: outside pixels are black.
                let at = |x: i64, y: i64, ch: usize| -> u32 {
                    if x < 0 || y < 0 || x >= w || y >= h {
                        0
                    } else {
                        src[y as usize * stride + x as usize * 3 + ch] as u32
                    }
                };
                for (ch, p) in px.iter_mut().enumerate() {
                    let top = at(x0, y0, ch) * wx0 + at(x0 + 1, y0, ch) * wx1;
                    let bottom = at(x0, y0 + 1, ch) * wx0 + at(x0 + 1, y0 + 1, ch) * wx1;
                    *p = ((top * wy0 + bottom * wy1 + (1 << 15)) >> 16) as u8;
                }
            }
            fx += da;
            fy += dc;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain float bilinear sampler the fixed-point one must match.
    fn sample_reference(frame: &RgbImage, map: &InputMap, size: usize, out: &mut [u8]) {
        let (w, h) = (frame.width() as i64, frame.height() as i64);
        let src = frame.as_raw();
        let stride = w as usize * 3;
        let px = |x: i64, y: i64, ch: usize| -> f32 {
            if x < 0 || y < 0 || x >= w || y >= h {
                0.0
            } else {
                src[y as usize * stride + x as usize * 3 + ch] as f32
            }
        };
        for v in 0..size {
            for u in 0..size {
                // Pixel centres: sample at (u+0.5, v+0.5) and shift back by half a source pixel.
                let (x, y) = map.apply(u as f32 + 0.5, v as f32 + 0.5);
                let (x, y) = (x - 0.5, y - 0.5);
                let (x0, y0) = (x.floor(), y.floor());
                let (fx, fy) = (x - x0, y - y0);
                let (x0, y0) = (x0 as i64, y0 as i64);
                let o = (v * size + u) * 3;
                let inside = x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h;
                for ch in 0..3 {
                    let (p00, p10, p01, p11) = if inside {
                        let i = y0 as usize * stride + x0 as usize * 3 + ch;
                        (src[i] as f32, src[i + 3] as f32, src[i + stride] as f32, src[i + stride + 3] as f32)
                    } else {
                        (px(x0, y0, ch), px(x0 + 1, y0, ch), px(x0, y0 + 1, ch), px(x0 + 1, y0 + 1, ch))
                    };
                    let top = p00 + (p10 - p00) * fx;
                    let bottom = p01 + (p11 - p01) * fx;
                    out[o + ch] = (top + (bottom - top) * fy + 0.5) as u8;
                }
            }
        }
    }

    #[test]
    fn the_fixed_point_general_path_matches_float_sampling_at_any_angle() {
        let img = RgbImage::from_fn(320, 200, |x, y| {
            image::Rgb([(x * 7 % 256) as u8, (y * 5 % 256) as u8, ((x * y) % 251) as u8])
        });
        for angle in [0.3f32, std::f32::consts::FRAC_PI_2, 2.0, std::f32::consts::PI, -0.7] {
            let map = InputMap::square(150.0, 90.0, 260.0, angle, 256);
            let (mut fast, mut reference) = (vec![0u8; 256 * 256 * 3], vec![0u8; 256 * 256 * 3]);
            sample_general(&img, &map, 256, &mut fast);
            sample_reference(&img, &map, 256, &mut reference);
            let differing = fast.iter().zip(&reference).filter(|(a, b)| (**a as i32 - **b as i32).abs() > 2).count();
            assert!(differing * 200 < fast.len(), "angle {angle}: {differing} values differ by more than 2");
        }
    }

    #[test]
    fn letterbox_maps_corners_of_a_wide_frame() {
        let m = InputMap::letterbox(640, 480, 192);
        let (x, y) = m.apply(0.0, 0.0);
        assert!((x - 0.0).abs() < 1e-3 && (y + 80.0).abs() < 1e-3, "{x},{y}");
        let (x, y) = m.apply(192.0, 192.0);
        assert!((x - 640.0).abs() < 1e-3 && (y - 560.0).abs() < 1e-3, "{x},{y}");
    }

    #[test]
    fn rotated_square_turns_the_axes() {
        let m = InputMap::square(100.0, 100.0, 192.0, std::f32::consts::FRAC_PI_2, 192);
        // Moving right in the model input moves down in the source.
        let (x0, y0) = m.apply(96.0, 96.0);
        let (x1, y1) = m.apply(97.0, 96.0);
        assert!((x0 - 100.0).abs() < 1e-3 && (y0 - 100.0).abs() < 1e-3);
        assert!((x1 - x0).abs() < 1e-3 && (y1 - y0 - 1.0).abs() < 1e-3);
    }

    #[test]
    fn the_fast_path_matches_the_general_one() {
        // A frame with structure in both directions, letterboxed and cropped.
        let img = RgbImage::from_fn(320, 200, |x, y| {
            image::Rgb([(x * 7 % 256) as u8, (y * 5 % 256) as u8, ((x * y) % 251) as u8])
        });
        for map in [InputMap::letterbox(320, 200, 192), InputMap::square(100.0, 80.0, 90.0, 0.0, 192)] {
            let (mut fast, mut general) = (vec![0u8; 192 * 192 * 3], vec![0u8; 192 * 192 * 3]);
            sample_axis_aligned(&img, &map, 192, &mut fast);
            sample_general(&img, &map, 192, &mut general);
            let worst = fast.iter().zip(&general).map(|(a, b)| (*a as i32 - *b as i32).abs()).max().unwrap();
            let differing = fast.iter().zip(&general).filter(|(a, b)| (**a as i32 - **b as i32).abs() > 1).count();
            // Rounding of 8-bit weights, and the half-pixel band at the frame's edge, differ slightly.
            assert!(
                differing * 100 < fast.len(),
                "{differing} of {} values differ by more than 1 (worst {worst})",
                fast.len()
            );
        }
    }

    #[test]
    fn sampling_copies_a_uniform_image_and_pads_black() {
        let img = RgbImage::from_pixel(64, 32, image::Rgb([10, 200, 30]));
        let mut out = vec![0u8; 16 * 16 * 3];
        sample_into(&img, &InputMap::letterbox(64, 32, 16), 16, &mut out);
        // Row 8 is inside the frame, row 0 is padding.
        assert_eq!(&out[(8 * 16 + 8) * 3..(8 * 16 + 8) * 3 + 3], &[10, 200, 30]);
        assert_eq!(&out[0..3], &[0, 0, 0]);
    }
}
