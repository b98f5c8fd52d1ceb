//! Finding and loading the ONNX Runtime shared library (the `ort` crate is built with `load-dynamic`).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The ONNX Runtime version scripts/provision.sh installs and the `ort` API level we compile against needs.
pub const ORT_VERSION: &str = "1.31.1";

#[derive(Debug, Clone, thiserror::Error)]
pub enum RuntimeError {
    #[error(
        "ONNX Runtime library not found (looked in: {searched}).\n\
         Fix: run `scripts/provision.sh` in the stretchcoach checkout (it unpacks libonnxruntime.so \
         {ORT_VERSION} from the onnxruntime wheel on PyPI into .ort/), or set ORT_DYLIB_PATH to a \
         libonnxruntime.so of version {ORT_VERSION} or newer."
    )]
    NotFound { searched: String },
    #[error(
        "ONNX Runtime at {path} could not be used: {reason}\n\
         Fix: use ONNX Runtime {ORT_VERSION} or newer (run `scripts/provision.sh`, or point ORT_DYLIB_PATH at it)."
    )]
    Unusable { path: String, reason: String },
}

static ENV: OnceLock<Result<ort::environment::Environment, RuntimeError>> = OnceLock::new();

/// Candidate library paths when ORT_DYLIB_PATH is not set, most specific first.
fn candidates() -> Vec<PathBuf> {
    let mut out = Vec::new();
    // Baked in at build time by .cargo/config.toml, so an installed binary still finds the checkout's copy.
    if let Some(p) = option_env!("ORT_DYLIB_PATH") {
        out.push(PathBuf::from(p));
    }
    if let Ok(exe) = std::env::current_exe() {
        if let Some(dir) = exe.parent() {
            out.push(dir.join("libonnxruntime.so"));
        }
    }
    out.push(PathBuf::from(".ort/libonnxruntime.so"));
    out
}

/// The process-wide ONNX Runtime environment; loads the library on first use.
pub fn environment() -> Result<&'static ort::environment::Environment, RuntimeError> {
    ENV.get_or_init(load).as_ref().map_err(Clone::clone)
}

fn load() -> Result<ort::environment::Environment, RuntimeError> {
    // A path the user set explicitly is used or reported, never silently passed over.
    let paths = match std::env::var_os("ORT_DYLIB_PATH") {
        Some(p) => vec![PathBuf::from(p)],
        None => candidates(),
    };
    let found: Option<&Path> = paths.iter().map(PathBuf::as_path).find(|p| p.exists());
    let Some(path) = found else {
        let searched = paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
        return Err(RuntimeError::NotFound { searched });
    };
    let unusable = |reason: String| RuntimeError::Unusable { path: path.display().to_string(), reason };
    // init_from returns an error for a bad library, where plain init() would panic.
    let builder = ort::init_from(path).map_err(|e| unusable(e.to_string()))?;
    builder.with_name("stretchcoach").build().map_err(|e| unusable(e.to_string()))
}
