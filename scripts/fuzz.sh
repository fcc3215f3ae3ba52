#!/usr/bin/env bash
# Fuzzes every parser of outside input (numbers, amounts, hours, dates, CSV imports, policy TOML,
# JSON restores, stored effects) with peerstake-fuzz, a fuzzer that runs on the stable toolchain.
#
#   scripts/fuzz.sh [seconds-per-target] [peerstake-fuzz arguments…]
#
# Builds it in release with overflow checks and debug assertions on (as cargo-fuzz builds), so an
# arithmetic overflow is a failure instead of a silent wrap, then runs each target for the given
# seconds (60 by default). Extra arguments go to the fuzzer: `--seed N` repeats a run,
# `--target csv,policy` picks targets, `--verbose` lists the outcomes reached. Exits non-zero on
# any failure; each failing input is printed escaped and in hex, ready for a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true

export CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=true
export CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS=true
exec cargo run --release --quiet -p peerstake-fuzz -- --seconds "$seconds" "$@"
