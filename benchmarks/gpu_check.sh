#!/usr/bin/env bash
# GPU check (issue 14): on one CUDA GPU, in under 5 minutes, run
#   1. frozen proto on 10,000 FewRel val_wiki 5-way-1-shot episodes (seed 0), on CUDA (bf16) and on CPU;
#   2. TKRE on one SemEval-2010 K=8 split (seed 13, --knowledge schema), on CUDA (bf16);
# print the times, and check the CUDA accuracies against the CPU ones:
#   proto: |accuracy(cuda) - accuracy(cpu)| <= 0.01 (same episodes; bf16 embeddings flip near-ties only);
#   tkre:  |micro-F1(cuda) - micro-F1(cpu)| <= 0.03, the CPU figure read from the committed result under
#          results/runs/semeval2010_test/kshot/K8/tkre/ (same split, checked by episode-file sha256;
#          bf16 training follows another trajectory: ~3x the 0.9-point std over seeds).
# Installs from the project's own files: a venv over the machine's CUDA torch (setup.sh pins the CPU
# wheel, so it is not used here), then `pip install -e .` from pyproject.toml.
# Usage: bash benchmarks/gpu_check.sh   (FSRE_BENCH_DATA_DIR: default shared/datasets or ../shared/datasets)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
BUDGET_S=300
PROTO_TOLERANCE=0.01
TKRE_TOLERANCE=0.03

if ! "$PYTHON" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
    echo "gpu_check: $PYTHON has no CUDA-enabled torch (or no GPU is visible); run this on a GPU machine" >&2
    exit 2
fi
started=$(date +%s)
[ -x .venv-gpu/bin/python ] || "$PYTHON" -m venv --system-site-packages .venv-gpu
# torch>=2.2 is already met by the machine's CUDA build, so pip keeps it.
.venv-gpu/bin/python -m pip install -q -e .
if [ -z "${FSRE_BENCH_DATA_DIR:-}" ]; then
    if [ -d shared/datasets ]; then FSRE_BENCH_DATA_DIR=shared/datasets; else FSRE_BENCH_DATA_DIR=../shared/datasets; fi
fi
export FSRE_BENCH_DATA_DIR HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
work=$(mktemp -d)
export FSRE_BENCH_CACHE="$work/cache"  # cold: every embedding and checkpoint is computed here
echo "gpu_check: $(.venv-gpu/bin/python -c 'import torch; print(torch.cuda.get_device_name(0), "torch", torch.__version__)')"

run() {  # run LABEL ARGS... : one fsre-bench run, its wall time printed
    local label=$1; shift
    local t0=$SECONDS
    .venv-gpu/bin/python -m fsre_bench.cli.main run --n-bootstrap 200 "$@" >"$work/$label.log" 2>&1 \
        || { echo "gpu_check: $label failed:"; tail -20 "$work/$label.log"; exit 1; }
    echo "gpu_check: $label: $((SECONDS - t0)) s"
}

proto=(--methods proto --dataset fewrel/val_wiki --settings 5-1 --episodes 10000 --seeds 0)
tkre=(--protocol kshot --dataset semeval2010 --k 8 --seeds 13 --methods tkre --knowledge schema)
run proto-cuda "${proto[@]}" --device cuda --output-dir "$work/cuda"
run proto-cpu "${proto[@]}" --device cpu --output-dir "$work/cpu"
run tkre-cuda "${tkre[@]}" --device cuda --output-dir "$work/cuda"

.venv-gpu/bin/python - "$work" "$PROTO_TOLERANCE" "$TKRE_TOLERANCE" <<'EOF'
import glob, json, sys

work, proto_tol, tkre_tol = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])


def seed_row(pattern, seed):
    (path,) = glob.glob(pattern)
    result = json.load(open(path))
    row = next(r for r in result["per_seed"] if r["seed"] == seed)
    return row, result["env"]["device"]


failed = False
for name, cuda_glob, cpu_glob, seed, metric, tol in (
    ("proto 10,000 x 5-1", f"{work}/cuda/runs/fewrel_val_wiki/episodic/5-1/proto/n10000_*.json",
     f"{work}/cpu/runs/fewrel_val_wiki/episodic/5-1/proto/n10000_*.json", 0, "accuracy", proto_tol),
    ("tkre SemEval K=8 seed 13", f"{work}/cuda/runs/semeval2010_test/kshot/K8/tkre/n1_*.json",
     "results/runs/semeval2010_test/kshot/K8/tkre/n1_seeds13-21-42-87-100_*.json", 13, "micro_f1", tkre_tol),
):
    cuda, cuda_device = seed_row(cuda_glob, seed)
    cpu, cpu_device = seed_row(cpu_glob, seed)
    assert cuda_device.startswith("cuda") and cpu_device == "cpu", (cuda_device, cpu_device)
    assert cuda["episode_file_sha256"] == cpu["episode_file_sha256"], f"{name}: not the same episodes"
    delta = cuda["metrics"][metric] - cpu["metrics"][metric]
    ok = abs(delta) <= tol
    failed |= not ok
    print(f"gpu_check: {name}: {metric} cuda {cuda['metrics'][metric]:.4f} cpu {cpu['metrics'][metric]:.4f} "
          f"delta {delta:+.4f} (tolerance {tol}) {'OK' if ok else 'FAIL'}")
sys.exit(1 if failed else 0)
EOF
total=$(( $(date +%s) - started ))
echo "gpu_check: total $total s (budget $BUDGET_S s)"
[ "$total" -le "$BUDGET_S" ] || { echo "gpu_check: over the $BUDGET_S s budget"; exit 1; }
echo "gpu_check: OK"
