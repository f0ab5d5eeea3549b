#!/usr/bin/env bash
# Fuzz loanlint: run each fuzz target (or those named) for SECONDS, one after another, single
# job, and print per target how many inputs ran and the coverage reached.
#
#   fuzz/run.sh SECONDS [TARGET...]      targets: rule_lang contract_load extract log_read config
#
# Environment:
#   FUZZ_TOOLCHAIN  rustup toolchain to build with (default: the default toolchain, stable is
#                   fine: see README.md); e.g. FUZZ_TOOLCHAIN=nightly.
#   FUZZ_SANITIZER  address (default) or none (faster, catches only panics, hangs and OOMs).
#   FUZZ_TIMEOUT    seconds one input may take before it counts as a hang (default 30: a real
#                   rule file with its examples takes seconds under ASan on a busy machine).
#                   The timeout is wall-clock: do not run this under `nice` on a loaded machine
#                   (a starved rule_lang input that takes 0.3 s of CPU passed 30 s), and know
#                   that libFuzzer's timeout handler can then deadlock in malloc instead of
#                   writing the input: replay a suspected hang alone before believing it.
#
# Seeds are read from fuzz/corpus/TARGET (committed, never written); what the fuzzer finds is
# kept in fuzz/grown/TARGET, crashes in fuzz/artifacts/TARGET, logs in fuzz/logs/TARGET.log
# (all git-ignored). Exits non-zero if any target found a crash, hang or over-allocation.
set -euo pipefail

usage() {
    echo "usage: $0 SECONDS [TARGET...]" >&2
    exit 2
}
[[ $# -ge 1 && $1 =~ ^[0-9]+$ ]] || usage
seconds=$1
shift

here=$(cd "$(dirname "$0")" && pwd)
all_targets=(rule_lang contract_load extract log_read config)
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${all_targets[@]}")

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi

toolchain=()
[[ -n ${FUZZ_TOOLCHAIN:-} ]] && toolchain=("+$FUZZ_TOOLCHAIN")
# cargo fuzz passes nightly-only flags (-Zsanitizer=address); a stable compiler accepts them
# with RUSTC_BOOTSTRAP=1 (its rust-std ships the sanitizer runtime). Harmless on nightly.
export RUSTC_BOOTSTRAP=1
# One job: the library checks debtors and rule examples in parallel (rayon).
export RAYON_NUM_THREADS=1
sanitizer=(--sanitizer "${FUZZ_SANITIZER:-address}")
timeout=${FUZZ_TIMEOUT:-30}

cd "$here/.."
mkdir -p "$here/logs"

failed=()
summary=()
for target in "${targets[@]}"; do
    grown="$here/grown/$target"
    log="$here/logs/$target.log"
    mkdir -p "$grown" "$here/artifacts/$target"
    echo "== $target: ${seconds}s" >&2
    status=0
    # cargo fuzz builds the target first (not counted in -max_total_time, which libFuzzer
    # times). The grown corpus comes first: libFuzzer adds new inputs to the first folder only.
    cargo "${toolchain[@]}" fuzz run "${sanitizer[@]}" "$target" "$grown" "$here/corpus/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=2048 \
        -timeout="$timeout" -print_final_stats=1 >"$log" 2>&1 || status=$?
    start=$(grep -m1 -E '^#[0-9]+[[:space:]]+INITED' "$log" | sed -E 's/ +/ /g' || true)
    end=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE)' "$log" | tail -n1 | sed -E 's/ +/ /g' || true)
    execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}' || true)
    speed=$(grep -m1 'stat::average_exec_per_sec' "$log" | awk '{print $2}' || true)
    if [[ $status -ne 0 ]]; then
        failed+=("$target")
        echo "!! $target failed (exit $status); see $log and fuzz/artifacts/$target" >&2
        grep -E '^(==[0-9]+==ERROR|SUMMARY|thread .* panicked|ALARM|Test unit written|artifact_prefix)' "$log" | head -n 8 >&2 || true
    fi
    summary+=("$target: ${execs:-?} execs, ${speed:-?} exec/s, exit $status
    start: ${start:-?}
    end:   ${end:-?}")
done

echo
printf '%s\n' "${summary[@]}"
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "failed: ${failed[*]}"
    exit 1
fi
