//! The pose drawn over its image, to look at what the model saw: the skeleton, the feet (ankle, heel,
//! toes) and the back's outline from the silhouette. For `pose --draw`; the live page draws its own.

use image::{Rgb, RgbImage};

use super::keypoints::{Joint, Pose, BONES};

/// Below this score a landmark is not drawn (as `measure::MIN_SCORE` leaves it unknown).
const MIN_SCORE: f32 = 0.3;
const BONE: Rgb<u8> = Rgb([0, 229, 255]);
const FOOT: Rgb<u8> = Rgb([255, 220, 0]);
const BACK: Rgb<u8> = Rgb([255, 65, 54]);
const JOINT: Rgb<u8> = Rgb([46, 204, 64]);

const FEET: [(Joint, Joint); 6] = [
    (Joint::LeftAnkle, Joint::LeftHeel),
    (Joint::LeftHeel, Joint::LeftFootIndex),
    (Joint::LeftAnkle, Joint::LeftFootIndex),
    (Joint::RightAnkle, Joint::RightHeel),
    (Joint::RightHeel, Joint::RightFootIndex),
    (Joint::RightAnkle, Joint::RightFootIndex),
];

pub fn draw(image: &mut RgbImage, pose: &Pose) {
    let width = (image.width().max(image.height()) as f32 / 250.0).max(1.5);
    let seen = |j: Joint| Some(pose.get(j)).filter(|k| k.score >= MIN_SCORE).map(|k| (k.x, k.y));
    for (pairs, colour) in [(&BONES[..], BONE), (&FEET[..], FOOT)] {
        for &(a, b) in pairs {
            if let (Some(p), Some(q)) = (seen(a), seen(b)) {
                line(image, p, q, width, colour);
            }
        }
    }
    if let Some(back) = &pose.back {
        for w in back.outline.windows(2) {
            line(image, w[0], w[1], width * 1.3, BACK);
        }
    }
    for &j in pose.given {
        if let Some(p) = seen(j) {
            disc(image, p, width * 1.4, if j.index() < 17 { JOINT } else { FOOT });
        }
    }
}

fn line(image: &mut RgbImage, a: (f32, f32), b: (f32, f32), width: f32, colour: Rgb<u8>) {
    let steps = ((b.0 - a.0).hypot(b.1 - a.1) / (width / 2.0)).ceil().max(1.0) as usize;
    for i in 0..=steps {
        let t = i as f32 / steps as f32;
        disc(image, (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t), width / 2.0, colour);
    }
}

fn disc(image: &mut RgbImage, (cx, cy): (f32, f32), r: f32, colour: Rgb<u8>) {
    let (w, h) = (image.width() as i64, image.height() as i64);
    let (x0, x1) = ((cx - r).floor() as i64, (cx + r).ceil() as i64);
    let (y0, y1) = ((cy - r).floor() as i64, (cy + r).ceil() as i64);
    for y in y0.max(0)..=y1.min(h - 1) {
        for x in x0.max(0)..=x1.min(w - 1) {
            if (x as f32 - cx).hypot(y as f32 - cy) <= r {
                image.put_pixel(x as u32, y as u32, colour);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seeing::pose::{Back, Keypoint};

    #[test]
    fn the_back_and_the_feet_are_drawn_where_they_are() {
        let mut pose = Pose::unseen(100, 100, &Joint::ALL);
        pose.landmarks[Joint::LeftAnkle.index()] = Keypoint { x: 10.0, y: 90.0, score: 0.9 };
        pose.landmarks[Joint::LeftHeel.index()] = Keypoint { x: 10.0, y: 95.0, score: 0.9 };
        pose.back = Some(Back { curve: 0.1, outline: vec![(20.0, 20.0), (80.0, 20.0)] });
        let mut image = RgbImage::new(100, 100);
        draw(&mut image, &pose);
        assert_eq!(*image.get_pixel(50, 20), BACK);
        assert_eq!(*image.get_pixel(10, 93), FOOT);
        assert_eq!(*image.get_pixel(50, 60), Rgb([0, 0, 0]), "nothing drawn where nothing was seen");
    }
}
