//! Clear errors at the edges: a missing or corrupt model, a missing ONNX Runtime, bad input files.

mod common;

use common::{bin, fixture, stderr_of_failing};
use stretchcoach::seeing::pose::model::{bundled_model_path, ModelOptions, BUNDLED_MODEL_SHA256};
use stretchcoach::seeing::pose::{ModelError, PoseModel};

fn tmp(name: &str) -> std::path::PathBuf {
    common::scratch_file("errors", name)
}

#[test]
fn a_corrupt_model_is_refused_with_its_checksum() {
    let bytes = std::fs::read(bundled_model_path()).unwrap();
    let truncated = tmp("truncated.onnx");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    match PoseModel::load(&truncated, Some(BUNDLED_MODEL_SHA256), ModelOptions::default()) {
        Err(e @ ModelError::Checksum { .. }) => {
            let msg = e.to_string();
            assert!(msg.contains("truncated.onnx") && msg.contains(BUNDLED_MODEL_SHA256), "{msg}");
        }
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("a truncated model was accepted"),
    }
    // Without a checksum to compare, ONNX Runtime itself rejects it, and the error names the file.
    let err = PoseModel::load(&truncated, None, ModelOptions::default()).err().expect("must fail").to_string();
    assert!(err.contains("truncated.onnx"), "{err}");
}

#[test]
fn a_missing_model_says_where_it_looked_and_what_to_do() {
    let err = stderr_of_failing(
        bin().args(["pose", "--model", "/nonexistent/model.onnx"]).arg(fixture("photos/astronaut.png")),
    );
    assert!(err.contains("/nonexistent/model.onnx") && err.contains("--model"), "{err}");
}

#[test]
fn a_missing_onnx_runtime_names_the_fix() {
    let err = stderr_of_failing(
        bin().env("ORT_DYLIB_PATH", "/nonexistent/libonnxruntime.so").arg("pose").arg(fixture("photos/astronaut.png")),
    );
    assert!(err.contains("/nonexistent/libonnxruntime.so") && err.contains("provision.sh"), "{err}");
}

#[test]
fn a_broken_keypoint_file_names_the_line() {
    let file = tmp("broken.jsonl");
    std::fs::write(&file, "{\"width\":640,\"height\":480,\"keypoints\":[]}\n").unwrap();
    let err = stderr_of_failing(bin().args(["check", "--json", "--keypoints"]).arg(&file));
    assert!(err.contains("broken.jsonl:1") && err.contains("17 keypoints"), "{err}");
}

#[test]
fn an_unknown_stretch_lists_the_known_ones() {
    let err = stderr_of_failing(bin().args(["check", "--exercise", "handstand", "--keypoints", "x.jsonl"]));
    assert!(err.contains("handstand") && err.contains("bridge"), "{err}");
}

#[test]
fn a_missing_input_is_named() {
    let out = bin().args(["check", "/nonexistent/folder"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/folder"));
}

#[test]
fn a_library_that_is_not_onnx_runtime_is_named_with_the_fix() {
    // Any shared library that is not ONNX Runtime stands in for a broken or foreign one.
    let libc = ["/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/lib64/libc.so.6"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect("a libc to stand in");
    let err = stderr_of_failing(bin().env("ORT_DYLIB_PATH", libc).arg("pose").arg(fixture("photos/astronaut.png")));
    assert!(err.contains(libc) && err.contains("could not be used") && err.contains("1.31.1"), "{err}");
}

/// An ONNX Runtime older than the one we are built for. The stand-in is a real shared library, built here
/// with the system C compiler, that answers ONNX Runtime's entry point the way an old release does: its
/// version string, and no API table for our API level.
#[test]
fn an_old_onnx_runtime_is_named_with_its_version_and_the_fix() {
    let src = tmp("old_ort.c");
    std::fs::write(
        &src,
        "static const char *version(void) { return \"1.16.3\"; }\n\
         static const void *api(unsigned v) { (void)v; return 0; }\n\
         struct base { const void *(*get_api)(unsigned); const char *(*get_version)(void); };\n\
         static const struct base b = { api, version };\n\
         const struct base *OrtGetApiBase(void) { return &b; }\n",
    )
    .unwrap();
    let lib = tmp("libonnxruntime.so.1.16.3");
    let cc = std::process::Command::new("cc").args(["-shared", "-fPIC", "-o"]).arg(&lib).arg(&src).status();
    assert!(cc.expect("a C compiler (cc), which Rust needs to link anyway").success());
    let err = stderr_of_failing(bin().env("ORT_DYLIB_PATH", &lib).arg("pose").arg(fixture("photos/astronaut.png")));
    assert!(!err.contains("panicked"), "{err}");
    let named = err.contains(lib.to_str().unwrap()) && err.contains("could not be used");
    assert!(named && err.contains("got '1.16.3'") && err.contains("Fix: use ONNX Runtime 1.31.1"), "{err}");
}

#[test]
fn sharing_without_a_history_is_refused_before_the_session() {
    let err = stderr_of_failing(
        bin()
            .args(["replay", "--share", "http://127.0.0.1:9", "--share-token", "a.b", "--no-history", "--exit"])
            .arg(fixture("real/bridge/pexels-6525487-glute-bridge.mp4")),
    );
    assert!(err.contains("--share") && err.contains("--no-history"), "{err}");
}
