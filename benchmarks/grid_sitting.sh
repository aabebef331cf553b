#!/usr/bin/env bash
# One sitting of the committed grid (benchmarks/committed_runs.sh), resumable on another machine.
#
#   bash benchmarks/grid_sitting.sh CHECKOUT STEP [STEP ...]
#
# The grid is many hours of 2-core time and no process outlives a session, so it runs in sittings. Each
# sitting runs CHECKOUT's committed_runs.sh (a clean checkout of the frozen commit, with its own .venv:
# every result then records that commit and git_dirty false) into benchmarks/grid-<commit>/ of THIS
# repository, which is committed after the sitting; the next sitting, on any machine, resumes from there
# (units already predicted at that commit are reused, never recomputed). One row per step goes to
# benchmarks/grid-<commit>/times.tsv (UTC start, seconds, exit status, machine) and its output to
# logs/<step>.log; the sitting stops at the first step that fails.
set -euo pipefail
[ "$#" -ge 2 ] || { sed -n 2,12p "$0"; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)
checkout=$(cd "$1" && pwd); shift
if [ -n "$(git -C "$checkout" status --porcelain)" ]; then
    echo "$checkout is not clean: the grid must come from one clean commit" >&2; exit 2
fi
commit=$(git -C "$checkout" rev-parse --short=7 HEAD)
grid=${GRID:-$here/benchmarks/grid-$commit}  # GRID: elsewhere (the test)
mkdir -p "$grid/logs"
[ -f "$grid/times.tsv" ] || printf 'step\tstarted_utc\tseconds\trc\tcpu\n' > "$grid/times.tsv"
cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)
# The trained fits are machine-local: a fresh cache per machine (issue 35 asks for a fresh one; portable
# numerics make a refit on another machine the same bytes: a step reusing an earlier step's fit is unaffected).
export FSRE_BENCH_CACHE=${FSRE_BENCH_CACHE:-$checkout/../grid-cache-$commit}
export FSRE_BENCH_DATA_DIR=${FSRE_BENCH_DATA_DIR:-$here/../shared/datasets}
export PYTHONPATH=$checkout OUT=$grid FSRE=${FSRE:-$checkout/.venv/bin/fsre-bench}
row() {
    printf '%s\t%s\t%s\t%s\t%s\n' "$step" "$started" "$(( $(date +%s) - t0 ))" "$1" "$cpu" \
        >> "$grid/times.tsv"
}
# A sitting stopped at the end of a session (kill the process group) says so: the step resumes next sitting.
trap 'row interrupted; exit 143' TERM INT
for step in "$@"; do
    started=$(date -u +%Y-%m-%dT%H:%M:%SZ); t0=$(date +%s); rc=0
    bash "$checkout/benchmarks/committed_runs.sh" "$step" > "$grid/logs/$step.log" 2>&1 || rc=$?
    row "$rc"
    [ "$rc" -eq 0 ] || { echo "step $step failed (rc $rc): $grid/logs/$step.log" >&2; exit "$rc"; }
done
