//! Per-stage cost of one frame, with bare inference as the baseline every other figure is a ratio of.
//! Run: `make bench` (or `cargo bench --bench pipeline`).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use image::RgbImage;

use stretchcoach::body::synth::{bridge_session, BridgeForm, Noise, RepTiming};
use stretchcoach::coaching::session::Session;
use stretchcoach::exercise;
use stretchcoach::seeing::pose::model::ModelOptions;
use stretchcoach::seeing::pose::preprocess::InputMap;
use stretchcoach::seeing::pose::{Pose, PoseModel};

fn photo(w: u32, h: u32) -> RgbImage {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/photos/zidane.jpg");
    let img = image::open(path).expect("fixture photo").to_rgb8();
    image::imageops::resize(&img, w, h, image::imageops::FilterType::Triangle)
}

fn stages(c: &mut Criterion) {
    // Flat out, as criterion runs it: the threads spin between runs (see ModelOptions::spin).
    let mut model = PoseModel::bundled(ModelOptions { spin: true, ..ModelOptions::default() }).expect("bundled model");
    let frame = photo(640, 480);
    let hd = photo(1280, 720);
    let map = InputMap::letterbox(640, 480, model.input_size());
    let map_hd = InputMap::letterbox(1280, 720, model.input_size());

    c.bench_function("inference (bare ort run, baseline)", |b| b.iter(|| black_box(model.infer().unwrap())));
    c.bench_function("preprocess 640x480", |b| b.iter(|| model.prepare(black_box(&frame), &map)));
    c.bench_function("preprocess 1280x720", |b| b.iter(|| model.prepare(black_box(&hd), &map_hd)));
    let raw = model.infer().unwrap();
    c.bench_function("decode", |b| b.iter(|| black_box(model.decode(black_box(&raw), 640, 480, &map))));

    let bridge = exercise::built_in().into_iter().find(|e| e.id == "bridge").unwrap();
    let frames =
        bridge_session(&[BridgeForm::GOOD, BridgeForm::HIPS_LOW], RepTiming::default(), 30.0, Noise::default(), 1);
    // As `live` runs by default: the stretch recognised among all eight every frame.
    c.bench_function("smooth+recognise(8)+judge+coach (per frame)", |b| {
        per_frame(b, &frames, || Session::with_plan(stretchcoach::coaching::session::Plan::Auto(exercise::built_in())))
    });
    c.bench_function("smooth+judge+coach (per frame)", |b| per_frame(b, &frames, || Session::new(bridge.clone())));
    c.bench_function("whole frame 640x480 (preprocess+inference+decode+judge)", |b| {
        let mut session = Session::new(bridge.clone());
        let mut t = 0.0;
        b.iter(|| {
            t += 1.0 / 30.0;
            let pose = model.estimate(black_box(&frame)).unwrap();
            black_box(session.step(Some(&pose), t))
        })
    });
}

/// Camera frames to RGB at 640x480: nokhwa's YUYV converter (the baseline) against ours, and MJPEG through
/// nokhwa's libjpeg-turbo against the `image` crate's pure-Rust decoder.
fn camera_formats(c: &mut Criterion) {
    use nokhwa::pixel_format::RgbFormat;
    use nokhwa::utils::{FrameFormat, Resolution};
    use stretchcoach::seeing::capture::convert::{rgb_to_yuyv, to_rgb};
    let frame = photo(640, 480);
    let yuyv = rgb_to_yuyv(&frame);
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85).encode_image(&frame).unwrap();
    let res = Resolution::new(640, 480);
    c.bench_function("camera YUYV 640x480 -> RGB, nokhwa (baseline)", |b| {
        b.iter(|| black_box(nokhwa::Buffer::new(res, &yuyv, FrameFormat::YUYV).decode_image::<RgbFormat>().unwrap()))
    });
    c.bench_function("camera YUYV 640x480 -> RGB, ours", |b| {
        b.iter(|| black_box(to_rgb(FrameFormat::YUYV, 640, 480, black_box(&yuyv)).unwrap()))
    });
    c.bench_function("camera MJPEG 640x480 -> RGB, nokhwa (libjpeg-turbo)", |b| {
        b.iter(|| black_box(to_rgb(FrameFormat::MJPEG, 640, 480, black_box(&jpeg)).unwrap()))
    });
    c.bench_function("camera MJPEG 640x480 -> RGB, image (zune-jpeg)", |b| {
        b.iter(|| black_box(image::load_from_memory(black_box(&jpeg)).unwrap().to_rgb8()))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(4));
    targets = stages, camera_formats
}
criterion_main!(benches);

/// The frames over and over, each round 100 s after the last, through a session made fresh per sample.
fn per_frame(b: &mut criterion::Bencher, frames: &[(f64, Pose)], new_session: impl Fn() -> Session) {
    b.iter_custom(|iters| {
        let mut session = new_session();
        let start = std::time::Instant::now();
        for i in 0..iters {
            let (t, pose) = &frames[i as usize % frames.len()];
            black_box(session.step(Some(pose), *t + (i / frames.len() as u64) as f64 * 100.0));
        }
        start.elapsed()
    })
}
