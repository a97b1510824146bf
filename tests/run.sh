#!/usr/bin/env bash
# The project's one test command (README; CI's .ci/run calls it). On a fresh machine it
# installs what the full suite needs when it is missing and it can, then runs every test
# with LAKEDECK_REAL_DEPS=1 so a missing external tool fails instead of being skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)
# tests/lab_platform.rs drives the lab's platform endpoints with curl.
command -v curl >/dev/null 2>&1 || missing+=(curl)
# A real Prometheus (+ promtool) and Alertmanager (+ amtool) scrape and alert on the lab.
command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 && command -v amtool >/dev/null 2>&1 || missing+=(prometheus-alertmanager)

if [ ${#missing[@]} -gt 0 ]; then
  echo "tests/run.sh: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "tests/run.sh: cargo not found; install the Rust toolchain (rustup) first" >&2
  exit 1
fi

export LAKEDECK_REAL_DEPS=1
cargo test --workspace --locked --no-fail-fast "$@"
