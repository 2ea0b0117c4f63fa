#!/usr/bin/env bash
# Fuzzes every parser harness (tests/fuzz) for FUZZ_SECONDS each in a clang libFuzzer build
# (ASan+UBSan, build-fuzz), over a temporary copy of its corpus. Fails if any harness crashes,
# leaks, hangs or runs out of memory; the offending inputs are copied to
# tests/fuzz/regressions/NAME/, where CTest replays them (fuzz_replay_NAME) in every build.
#   FUZZ_SECONDS    seconds per harness (default 60)
#   FUZZ_HARNESSES  space-separated subset (default: all six)
#   FUZZ_BUILD_DIR  build directory (default build-fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seconds=${FUZZ_SECONDS:-60}
build_dir=${FUZZ_BUILD_DIR:-build-fuzz}
read -r -a harnesses <<<"${FUZZ_HARNESSES:-csv names offset capture_spec tshark_options json_model record_stream}"

# Longest input per harness: above every committed seed, small enough for fast iterations
# (the 64 KB CSV field cap is covered by the regression files, which are replayed whole).
max_len() {
  case $1 in
    csv) echo 16384 ;;
    json_model) echo 32768 ;;
    record_stream) echo 4096 ;;
    names) echo 4096 ;;
    tshark_options) echo 2048 ;;
    capture_spec) echo 1024 ;;
    offset) echo 256 ;;
    *) echo 4096 ;;
  esac
}

configure=(-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS=-O1 -DCMAKE_CXX_FLAGS=-O1  # assertions on, -O1
  -DPACKETSEQ_FUZZ=ON -DPACKETSEQ_WITH_WIRESHARK=OFF -DPACKETSEQ_BUILD_TESTS=OFF)
if command -v ccache >/dev/null; then
  configure+=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S . -B "$build_dir" "${generator[@]}" "${configure[@]}" >/dev/null
targets=()
for name in "${harnesses[@]}"; do targets+=("${name}_fuzzer"); done
cmake --build "$build_dir" --parallel "${JOBS:-2}" --target "${targets[@]}"

work=$(mktemp -d "${TMPDIR:-/tmp}/packetseq-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export LSAN_OPTIONS=suppressions=$root/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

failed=()
for name in "${harnesses[@]}"; do
  bin=$root/$build_dir/tests/fuzz/${name}_fuzzer
  dir=$work/$name
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp -r "tests/fuzz/corpus/$name/." "$dir/corpus/"
  dict=()
  [ -f "tests/fuzz/dict/$name.dict" ] && dict=(-dict="$root/tests/fuzz/dict/$name.dict")
  log=$dir/fuzz.log
  status=0
  # Known crashes first (each file run once, whole), then the timed run. The harness runs in
  # the temporary directory, so anything it might create stays there.
  regressions=("tests/fuzz/regressions/$name"/*)
  if [ -e "${regressions[0]}" ]; then
    (cd "$dir" && "$bin" "${regressions[@]/#/$root/}") >"$log" 2>&1 || status=$?
  fi
  if [ "$status" = 0 ]; then
    (cd "$dir" && "$bin" -max_total_time="$seconds" -max_len="$(max_len "$name")" -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$dir/artifacts/" "${dict[@]}" \
      corpus) >>"$log" 2>&1 || status=$?
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  if [ "$status" = 0 ]; then
    echo "fuzz $name: ok (${seconds}s, ${runs:-?} runs)"
    continue
  fi
  failed+=("$name")
  mkdir -p "tests/fuzz/regressions/$name"
  found=0
  for artifact in "$dir"/artifacts/*; do
    [ -e "$artifact" ] || continue
    cp "$artifact" "tests/fuzz/regressions/$name/"
    echo "fuzz $name: new failing input tests/fuzz/regressions/$name/$(basename "$artifact")"
    found=1
  done
  [ "$found" = 1 ] || echo "fuzz $name: a regression input in tests/fuzz/regressions/$name fails"
  echo "fuzz $name: FAILED (exit $status); log follows" >&2
  grep -E 'ERROR|SUMMARY|runtime error|fuzz check|what\(\)|^ +#[0-9]+ ' "$log" | head -40 >&2
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (fix the parser; the inputs above are replayed by" \
    "ctest -R fuzz_replay)" >&2
  exit 1
fi
echo "fuzz: all ${#harnesses[@]} harnesses passed ${seconds}s each"
