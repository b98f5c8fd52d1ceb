# The two commands of the README. Both provision first (idempotent; see scripts/provision.sh).
.PHONY: demo test provision bench

demo: provision
	cargo run --release -- demo

test: provision
	cargo test

provision:
	./scripts/provision.sh

bench: provision
	cargo bench
