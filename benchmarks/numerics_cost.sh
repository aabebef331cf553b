#!/usr/bin/env bash
# Portable vs native numerics: wall time of the README's main job and of one K-shot finetune split.
#
#   bash benchmarks/numerics_cost.sh [ROUNDS]     (default 1; each round runs every mode twice, ABC then CBA)
#   JOBS="main kshot" MODES="native portable portable-2t" bash benchmarks/numerics_cost.sh   (the defaults)
#
# Every run starts from an empty cache (so the encoder really runs) and writes to a scratch directory.
# The modes are interleaved (ABC CBA) so a load that drifts during the measurement falls on all of them
# alike; the load average is printed beside each run. Prints one line per run: job, mode, seconds, load.
set -euo pipefail
cd "$(dirname "$0")/.."
FSRE=${FSRE:-.venv/bin/fsre-bench}
export FSRE_BENCH_DATA_DIR=${FSRE_BENCH_DATA_DIR:-../shared/datasets}
SCRATCH=$(mktemp -d -t fsre-numerics-cost-XXXX)
trap 'rm -rf "$SCRATCH"' EXIT
MAIN=(run --methods proto,proto-desc,random --dataset fewrel/val_wiki --settings 5-1 --episodes 1000 --seeds 0)
KSHOT=(run --methods finetune --protocol kshot --dataset semeval2010 --k 8 --seeds 13)
# native: this machine's kernels and torch's default thread count; portable: AVX2 kernels, 1 pinned thread
# (the default); portable-2t: AVX2 kernels, 2 pinned threads (FSRE_BENCH_PORTABLE_THREADS).
read -r -a MODES <<< "${MODES:-native portable portable-2t}"

one() {  # one job in one mode, from an empty cache
    local job=$1 mode=$2 dir="$SCRATCH/$1-$2-$RANDOM" started load
    local -a args=("${MAIN[@]}")
    [ "$job" = main ] || args=("${KSHOT[@]}")
    load=$(cut -d' ' -f1 /proc/loadavg)
    started=$(date +%s.%N)
    if [ "$mode" = native ]; then
        env -u OMP_NUM_THREADS FSRE_BENCH_CACHE="$dir/cache" $FSRE "${args[@]}" --numerics native --output-dir "$dir/out" >/dev/null 2>&1
    else
        FSRE_BENCH_PORTABLE_THREADS=$([ "$mode" = portable-2t ] && echo 2 || echo 1) FSRE_BENCH_CACHE="$dir/cache" \
            $FSRE "${args[@]}" --numerics portable --output-dir "$dir/out" >/dev/null 2>&1
    fi
    printf '%s %s %.1f s (load %s at start)\n' "$job" "$mode" "$(echo "$(date +%s.%N) - $started" | bc)" "$load"
    rm -rf "$dir"
}

for _ in $(seq "${1:-1}"); do
    for job in ${JOBS:-main kshot}; do
        for mode in "${MODES[@]}"; do one "$job" "$mode"; done
        [ -n "${ONCE:-}" ] && continue  # ONCE=1: one pass (to continue an interleaving by hand)
        for ((i = ${#MODES[@]} - 1; i >= 0; i--)); do one "$job" "${MODES[i]}"; done
    done
done
