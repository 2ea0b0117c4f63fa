#!/usr/bin/env bash
# The README's test command: installs dependencies, builds the normal and the sanitizer
# (ASan+UBSan) builds, runs the whole test suite in both, then fuzzes the parsers (scripts/fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${SKIP_INSTALL:-0}" != 1 ]; then ./scripts/install-deps.sh; fi

BUILD_DIR=build ./scripts/build.sh -DCMAKE_BUILD_TYPE=RelWithDebInfo
(cd build && ctest --output-on-failure --timeout 600 -j2)

BUILD_DIR=build-asan ./scripts/build.sh -DCMAKE_BUILD_TYPE=Debug -DPACKETSEQ_SANITIZE=ON
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
   LSAN_OPTIONS=suppressions=$PWD/../tests/lsan.supp:print_suppressions=0 \
   ctest --output-on-failure --timeout 900 -j2 -LE no-sanitizer)

# Fuzz stage: every parser harness under libFuzzer (clang, build-fuzz) for FUZZ_SECONDS each;
# 30 s x 7 harnesses keeps it near 4 minutes (CI stays well under 45 min). SKIP_FUZZ=1 leaves it out.
if [ "${SKIP_FUZZ:-0}" != 1 ]; then FUZZ_SECONDS=${FUZZ_SECONDS:-30} ./scripts/fuzz.sh; fi
echo "packetseq: all tests passed (normal and sanitizer builds, fuzz stage)"
