//! Replay sources on real recordings: a folder of frames, a video through ffmpeg, and bad input.

mod common;

use std::path::Path;

use common::{bin as stretchcoach_bin, fixture};
use stretchcoach::seeing::capture::{open_replay, FrameSource};
use stretchcoach::seeing::pose::model::ModelOptions;
use stretchcoach::seeing::pose::PoseModel;

fn recordings() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("recordings/walk")
}

fn drain(source: &mut dyn FrameSource) -> (Vec<(u64, f64, u32, u32)>, u64) {
    let (mut frames, mut bad) = (Vec::new(), 0);
    loop {
        match source.next_frame() {
            Ok(Some(f)) => frames.push((f.index, f.t, f.image.width(), f.image.height())),
            Ok(None) => break,
            Err(e) if e.is_bad_frame() => bad += 1,
            Err(e) => panic!("{e}"),
        }
    }
    (frames, bad)
}

#[test]
fn an_image_folder_replays_in_name_order_at_30_fps() {
    let mut src = open_replay(&recordings()).unwrap();
    let (frames, bad) = drain(src.as_mut());
    assert_eq!((frames.len(), bad), (60, 0));
    assert!(frames.iter().all(|f| (f.2, f.3) == (640, 480)));
    assert!((frames[30].1 - 1.0).abs() < 1e-9, "frame 30 at {}", frames[30].1);
}

#[test]
fn a_video_decodes_through_ffmpeg() {
    let mut src = open_replay(&fixture("video/walk.mp4")).unwrap();
    assert!(src.describe().contains("640x480"), "{}", src.describe());
    let (frames, bad) = drain(src.as_mut());
    assert_eq!((frames.len(), bad), (30, 0));
    assert!((src.fps() - 30.0).abs() < 0.01);
}

#[test]
fn corrupt_and_empty_images_are_skipped_and_counted() {
    let dir = common::scratch_dir("capture");
    let good = std::fs::read(recordings().join("frame_0001.jpg")).unwrap();
    std::fs::write(dir.join("a.jpg"), &good).unwrap();
    std::fs::write(dir.join("b.jpg"), &good[..good.len() / 3]).unwrap(); // truncated
    std::fs::write(dir.join("c.png"), b"").unwrap(); // zero bytes
    std::fs::write(dir.join("d.jpg"), &good).unwrap();
    let mut src = open_replay(&dir).unwrap();
    let (frames, bad) = drain(src.as_mut());
    // The truncated JPEG may decode partially (a grey bottom) or fail; the empty PNG always fails.
    assert!(bad >= 1 && frames.len() + bad as usize == 4, "frames {frames:?}, bad {bad}");
    assert_eq!(frames[0].0, 0);
}

#[test]
fn a_picture_is_read_by_what_it_holds_not_by_its_name() {
    // Downloaded photos are often PNGs saved as .jpg: they are pictures all the same.
    let dir = common::scratch_dir("misnamed");
    let png = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/photos/astronaut.png");
    std::fs::copy(&png, dir.join("astronaut.jpg")).unwrap();
    let mut src = open_replay(&dir).unwrap();
    let (frames, bad) = drain(src.as_mut());
    assert_eq!((frames.len(), bad), (1, 0));
    let out = stretchcoach_bin().args(["pose"]).arg(dir.join("astronaut.jpg")).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_phone_video_with_rotation_is_read_the_way_it_is_shown() {
    // A phone shooting upright stores the frames sideways with a rotation; ffmpeg turns them when decoding,
    // so the frames are the other way round from the stored size. Made from the committed bridge clip.
    let rotated = std::env::temp_dir().join(format!("stretchcoach-rotated-{}.mp4", std::process::id()));
    let clip = fixture("real/bridge/pexels-6525487-glute-bridge.mp4");
    let made = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-i"])
        .arg(&clip)
        .args(["-c", "copy", "-metadata:s:v:0", "rotate=90"])
        .arg(&rotated)
        .status()
        .unwrap();
    assert!(made.success());
    let mut src = open_replay(&rotated).unwrap();
    let mut frames = 0;
    while let Some(frame) = src.next_frame().unwrap() {
        assert_eq!(frame.image.dimensions(), (360, 640), "stored 640x360, shown upright");
        frames += 1;
    }
    assert_eq!(frames, 167);
    // Through the program as a user runs it: the person is seen on every frame (read at the stored size,
    // the frames were sheared noise and nobody was seen on 142 of them).
    let out = stretchcoach_bin().args(["check", "--json", "--exercise", "bridge"]).arg(&rotated).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let last = String::from_utf8(out.stdout).unwrap().lines().last().unwrap().to_string();
    let summary: serde_json::Value = serde_json::from_str(&last).unwrap();
    assert!(summary["summary"]["frames_with_person"].as_u64().unwrap() >= 160, "{summary}");
    let _ = std::fs::remove_file(rotated);
}

#[test]
fn an_unreadable_video_is_a_clear_error() {
    let file = std::env::temp_dir().join(format!("stretchcoach-notavideo-{}.mp4", std::process::id()));
    std::fs::write(&file, b"this is not a video").unwrap();
    let err = open_replay(&file).err().expect("must fail").to_string();
    assert!(err.contains("not a readable video"), "{err}");
}

#[test]
fn the_real_clip_through_the_model_finds_the_walker() {
    let mut model = PoseModel::bundled(ModelOptions::default()).unwrap();
    let mut src = open_replay(&recordings()).unwrap();
    let (mut found, mut total, mut xs) = (0, 0, Vec::new());
    while let Some(frame) = src.next_frame().unwrap() {
        let pose = model.estimate(&frame.image).unwrap();
        total += 1;
        let confident = pose.keypoints().iter().filter(|k| k.score >= 0.3).count();
        if confident >= 10 {
            found += 1;
            // Standing and walking: head above hips above ankles.
            let y = |i: usize| pose.keypoints()[i].y;
            assert!(y(0) < (y(11) + y(12)) / 2.0 && (y(11) + y(12)) / 2.0 < (y(15) + y(16)) / 2.0);
        }
        xs.push(pose.keypoints()[0].x);
    }
    assert!(found * 10 >= total * 8, "the walker was found in only {found} of {total} frames");
    // The walker crosses the frame from right to left over the clip.
    assert!(xs[0] - xs[xs.len() - 1] > 200.0, "nose x went from {} to {}", xs[0], xs[xs.len() - 1]);
}

/// What a camera sends, made from a real photo (there is no camera here): YUYV and MJPEG frames go through
/// the camera source's conversion, match nokhwa's own decoder, and give the model the same pose as the photo.
#[test]
fn camera_frames_in_yuyv_and_mjpeg_reach_the_model_as_the_photo_does() {
    use nokhwa::utils::{FrameFormat, Resolution};
    use stretchcoach::seeing::capture::convert::{rgb_to_yuyv, to_rgb};
    let photo = image::open(fixture("photos/zidane.jpg")).unwrap().to_rgb8();
    let (w, h) = photo.dimensions();
    let mean_diff = |a: &image::RgbImage, b: &image::RgbImage| {
        a.as_raw().iter().zip(b.as_raw()).map(|(x, y)| (*x as f64 - *y as f64).abs()).sum::<f64>()
            / a.as_raw().len() as f64
    };

    let yuyv = rgb_to_yuyv(&photo);
    let from_yuyv = to_rgb(FrameFormat::YUYV, w, h, &yuyv).unwrap();
    let by_nokhwa = nokhwa::Buffer::new(Resolution::new(w, h), &yuyv, FrameFormat::YUYV)
        .decode_image::<nokhwa::pixel_format::RgbFormat>()
        .unwrap();
    assert!(from_yuyv.as_raw() == by_nokhwa.as_raw(), "the fast YUYV path must agree with nokhwa to the byte");
    assert!(mean_diff(&photo, &from_yuyv) < 4.0, "{}", mean_diff(&photo, &from_yuyv));

    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85).encode_image(&photo).unwrap();
    let from_mjpeg = to_rgb(FrameFormat::MJPEG, w, h, &jpeg).unwrap();
    assert!(mean_diff(&photo, &from_mjpeg) < 4.0, "{}", mean_diff(&photo, &from_mjpeg));
    // A frame cut short on the wire is either decoded as far as it goes or refused; never a crash.
    let _ = to_rgb(FrameFormat::MJPEG, w, h, &jpeg[..jpeg.len() / 2]);
    assert!(to_rgb(FrameFormat::MJPEG, w, h, &jpeg[..100]).is_err());

    let mut model = PoseModel::bundled(ModelOptions::default()).unwrap();
    let reference = model.estimate(&photo).unwrap();
    for (name, frame) in [("YUYV", &from_yuyv), ("MJPEG", &from_mjpeg)] {
        let pose = model.estimate(frame).unwrap();
        for (j, (a, b)) in reference.keypoints().iter().zip(pose.keypoints()).enumerate() {
            if a.score >= 0.3 {
                let d = ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt();
                assert!(d < 0.01 * w as f32, "{name}: joint {j} moved {d:.1} px");
            }
        }
    }
}

/// The committed Pexels seated fold (tests/fixtures/real-photos), written to `dir` as `name`, in the format its
/// extension names.
fn real_fold_as(dir: &Path, name: &str) -> std::path::PathBuf {
    let photo = fixture("real-photos/seated-hamstring/Sgamb29-StretchHoldTimers_pexels-elina-fairytale-3822191.jpg");
    let path = dir.join(name);
    image::open(photo).unwrap().to_rgb8().save(&path).unwrap();
    path
}

#[test]
fn a_photo_is_a_person_holding_still_in_any_format_a_user_has_it_in() {
    // `check` on one photo judges it as `eval` does, held still for a few seconds: a single frame names no
    // stretch. As a JPEG, a WebP and a GIF of one frame (exercise sites use both), the real fold is named.
    let dir = common::scratch_dir("stills");
    // Also a BMP and a TIFF, and a JPEG named as some cameras and browsers save them (.jfif).
    std::fs::copy(real_fold_as(&dir, "fold.jpg"), dir.join("fold.jfif")).unwrap();
    for name in ["fold.jpg", "fold.webp", "fold.gif", "fold.bmp", "fold.tiff", "fold.jfif"] {
        let still = if name == "fold.jfif" { dir.join(name) } else { real_fold_as(&dir, name) };
        assert!(stretchcoach::seeing::capture::replay::is_still(&still).unwrap(), "{name}");
        let out = stretchcoach_bin().args(["check", "--json"]).arg(&still).output().unwrap();
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout);
        let summary: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
        assert_eq!(summary["summary"]["exercise"], "seated-hamstring", "{name}: {summary}");
        assert!(summary["summary"]["duration_s"].as_f64().unwrap() > 3.0, "{name}: {summary}");
    }
    // `replay` shows a photo the same way, through the live loop: four seconds of the person holding still.
    let mut still = stretchcoach::seeing::capture::replay::Still::open(&dir.join("fold.webp"), 4.0).unwrap();
    let (frames, bad) = drain(&mut still);
    assert_eq!((frames.len(), bad), (120, 0));
    assert!((frames[119].1 - 119.0 / 30.0).abs() < 1e-9 && frames.iter().all(|f| (f.2, f.3) == (640, 427)));
    let out = stretchcoach_bin()
        .args(["--no-history", "replay", "--exit", "--quiet", "--port", "0", "--json"])
        .arg(dir.join("fold.gif"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().any(|l| l.contains("\"exercise\":\"seated-hamstring\"")), "{text}");
    // An animated GIF is a video: every frame, through ffmpeg.
    let gif = dir.join("walk.gif");
    let frames = (0..6).map(|i| {
        let frame = image::open(recordings().join(format!("frame_{:04}.jpg", i * 10 + 1))).unwrap().to_rgba8();
        image::Frame::from_parts(frame, 0, 0, image::Delay::from_numer_denom_ms(100, 1))
    });
    let file = std::fs::File::create(&gif).unwrap();
    image::codecs::gif::GifEncoder::new_with_speed(file, 30).encode_frames(frames).unwrap();
    assert!(!stretchcoach::seeing::capture::replay::is_still(&gif).unwrap());
    let (frames, bad) = drain(open_replay(&gif).unwrap().as_mut());
    assert_eq!((frames.len(), bad), (6, 0));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn eval_leaves_out_a_file_it_cannot_read_and_says_so() {
    // One broken download among a folder's files: the rest are judged, the broken one is listed, not counted.
    let dir = common::scratch_dir("unreadable");
    std::fs::create_dir_all(dir.join("seated-hamstring")).unwrap();
    real_fold_as(&dir.join("seated-hamstring"), "fold.webp");
    std::fs::write(dir.join("seated-hamstring/broken.jpg"), "<html>404 Not Found</html>").unwrap();
    // A labelled photo in a format this program does not read (an iPhone's HEIC) is listed too, rather than
    // skipped or taken for a label without its file; a credits file beside the media is no media at all.
    std::fs::write(dir.join("seated-hamstring/phone.heic"), b"\0\0\0\x18ftypheic").unwrap();
    std::fs::write(dir.join("seated-hamstring/labels.toml"), "[\"phone.heic\"]\ngood = true\n").unwrap();
    std::fs::write(dir.join("seated-hamstring/credits.txt"), "Photo by Elina Fairytale, Pexels").unwrap();
    // Files set aside in a folder whose name starts with a dot (a second rater's disputes) are not judged.
    std::fs::create_dir_all(dir.join(".disputed/seated-hamstring")).unwrap();
    real_fold_as(&dir.join(".disputed/seated-hamstring"), "fold.jpg");
    let out = stretchcoach_bin().arg("eval").arg(&dir).arg("--json").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["overall"]["recognised"], serde_json::json!({"hits": 1, "of": 1}), "{report}");
    let unreadable: Vec<&str> =
        report["unreadable"].as_array().unwrap().iter().map(|u| u["file"].as_str().unwrap()).collect();
    assert_eq!(unreadable.len(), 2, "{report}");
    assert!(unreadable.iter().any(|f| f.ends_with("broken.jpg")), "{report}");
    assert!(unreadable.iter().any(|f| f.ends_with("phone.heic")), "{report}");
    let out = stretchcoach_bin().arg("eval").arg(&dir).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("could not be read, counted nowhere: 2") && text.contains("broken.jpg"), "{text}");
    let _ = std::fs::remove_dir_all(dir);
}
