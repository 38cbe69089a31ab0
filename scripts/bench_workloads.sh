#!/usr/bin/env bash
# The whole-run workloads of BENCHMARKS.md: wall time, throughput (from each
# run's run.json) and peak memory (GNU time) of the release binary.
#
#   scripts/bench_workloads.sh [runs]      # default 3 runs of each
#   WORKLOADS=cadre|cadre100|output|national scripts/bench_workloads.sh [runs]
#
# Needs /usr/bin/time (Debian package `time`) and awk. Writes into a temporary
# folder and removes it; prints one line per run and the medians.
set -euo pipefail
runs=${1:-3}
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/bureausim
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

field() { grep -o "\"$1\": [0-9.e+-]*" "$tmp/out/run.json" | cut -d' ' -f2; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

workload() { # name, then the run arguments
    local name=$1; shift
    local walls=() rates=() peaks=()
    for k in $(seq "$runs"); do
        /usr/bin/time -f '%M' -o "$tmp/rss" "$bin" run "$@" --no-plots --force --out "$tmp/out" > /dev/null 2> "$tmp/err" \
            || { cat "$tmp/err"; exit 1; }
        local wall sim rate peak
        wall=$(field wall_seconds); sim=$(field simulation_seconds)
        rate=$(field officer_months_per_second)
        peak=$(cat "$tmp/rss")
        awk -v n="$name" -v k="$k" -v w="$wall" -v s="$sim" -v r="$rate" -v p="$peak" 'BEGIN {
            printf "%-34s run %d: %8.2f s wall (%.2f s writing)  %7.1f M officer-months/s  %7.0f MiB peak\n",
                n, k, w, w - s, r / 1e6, p / 1024 }'
        walls+=("$wall"); rates+=("$rate"); peaks+=("$peak")
    done
    printf '%-34s MEDIAN %8.2f s wall  %7.1f M officer-months/s  %7.0f MiB peak\n' "$name" \
        "$(printf '%s\n' "${walls[@]}" | median)" \
        "$(printf '%s\n' "${rates[@]}" | median | awk '{print $1/1e6}')" \
        "$(printf '%s\n' "${peaks[@]}" | median | awk '{print $1/1024}')"
}

case "${WORKLOADS:-all}" in
  all|cadre)
    workload "cadre, 10 reps, 2 threads" scenarios/pakistan_baseline.toml --threads 2
    workload "cadre, 20 reps, 1 thread" scenarios/pakistan_baseline.toml --replicates 20 --threads 1
    workload "cadre, 20 reps, 2 threads" scenarios/pakistan_baseline.toml --replicates 20 --threads 2
    ;;&
  all|cadre100)
    workload "cadre, 100 reps, 2 threads" scenarios/pakistan_baseline.toml --replicates 100 --threads 2
    ;;&
  all|output)
    workload "teaching, 1000 reps, 2 threads" scenarios/teaching/political_transfers.toml --replicates 1000 --threads 2
    ;;&
  all|national)
    workload "national, 1 rep, 2 threads" scenarios/pakistan_national.toml --threads 2
    ;;
esac
