# The two commands of the README. Both provision first (idempotent; see scripts/provision.sh).
.PHONY: demo test provision bench bench-clinic deny soak lint

demo: provision
	cargo run --release -- demo

test: provision
	cargo test

provision:
	./scripts/provision.sh

# The stages of one frame (criterion), then stretchcoach against MediaPipe's own runtime for the same
# networks, as whole processes on the same real clip (benches/vs_mediapipe.py; sets MediaPipe up from PyPI
# and npm on its first run).
bench: provision
	cargo bench --bench pipeline
	cargo build --release
	python3 benches/vs_mediapipe.py

# The clinic at scale (benches/clinic.rs): 1,000 patients with a year of daily sessions each in a throwaway
# PostgreSQL cluster; about 15 minutes on 2 cores. CLINIC_PATIENTS=100 for a quick look.
bench-clinic: provision
	cargo bench --bench clinic

# Clippy on everything, warnings as errors (CI runs it before the tests). It builds the crate, so it needs
# what provisioning installs (libclang for nokhwa's bindings).
lint: provision
	cargo clippy --all-targets -- -D warnings

# Licences, sources and banned crates of the dependency tree (deny.toml); CI runs it before the tests.
deny:
	./scripts/deny.sh

# The 30-minute soak of the README (model in the loop, two clients); SOAK_SECONDS=300 for a shorter one.
SOAK_SECONDS ?= 1800
soak: provision
	./scripts/soak.sh $(SOAK_SECONDS)
