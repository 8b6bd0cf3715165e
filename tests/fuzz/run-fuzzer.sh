#!/bin/sh
# Runs one libFuzzer target for $FUZZ_SECONDS seconds (default 10) over a
# COPY of its committed seed corpus, so the run never writes into the
# source tree. New inputs it finds are dropped with the copy; crashes and
# leaks are kept under $FUZZ_ARTIFACTS (default: ./fuzz-artifacts in the
# build directory) for reproduction: run the target on the file.
#
# usage: run-fuzzer.sh TARGET CORPUS_DIR [DICT]
set -eu
target=$1
corpus=$2
dict=${3:-}
seconds=${FUZZ_SECONDS:-10}
artifacts=${FUZZ_ARTIFACTS:-$PWD/fuzz-artifacts}
name=$(basename "$target")

work=$(mktemp -d "${TMPDIR:-/tmp}/svcq-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
cp -R "$corpus"/. "$work"/
mkdir -p "$artifacts"

# Undefined behaviour must fail the run, not just print.
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS ASAN_OPTIONS

# libFuzzer exits with 77 on a crash by default, which meson reads as
# "skipped": make every finding a plain failure.
set -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -error_exitcode=1 -timeout_exitcode=1 \
    -artifact_prefix="$artifacts/$name-"
if [ -n "$dict" ]; then
    set -- "$@" -dict="$dict"
fi
# A hard cap in case the fuzzer itself does not stop.
exec timeout --kill-after=30 $((seconds + 120)) "$target" "$@" "$work"
