"""benchmarks/committed_runs.sh's run and ablate steps (the committed grid, issue 35) parse with the real CLI parser.

Each step runs with FSRE pointed at a shim that parses its arguments (and records them) instead of running:
a renamed flag or a typo then fails here, not hours into the grid.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "committed_runs.sh"
SHIM = """import json, sys
from fsre_bench.cli.main import build_parser
build_parser().parse_args(sys.argv[1:])
with open(sys.argv[0] + ".calls", "a") as out:
    out.write(json.dumps(sys.argv[1:]) + "\\n")
"""
NOT_PARSED = {"studies", "reports", "reproduce"}  # studies repeats frozen's flags; the other two read results


def _steps() -> list[str]:
    text = SCRIPT.read_text(encoding="utf-8")
    listed = text[text.index('if [ "$1" = all ]'):].split("set --", 1)[1].split("\nfi", 1)[0]
    return [word for word in listed.replace("\\", " ").split() if word not in NOT_PARSED]


def test_every_grid_step_parses_and_trains_where_the_issue_says(tmp_path: Path) -> None:
    shim = tmp_path / "shim.py"
    shim.write_text(SHIM)
    wrapper = tmp_path / "fsre"
    wrapper.write_text(f"#!/bin/sh\nexec {sys.executable} {shim} \"$@\"\n")
    wrapper.chmod(0o755)
    steps = _steps()
    assert {"fewrel-5-1", "fewrel-10-5", "cross-5-5", "da-trained", "kshot-32", "kshot-ablate-16", "icl-cyclic"} <= set(steps)
    env = {**os.environ, "FSRE": str(wrapper), "OUT": str(tmp_path / "out"), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(["bash", str(SCRIPT), *steps], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    calls = [json.loads(line) for line in (shim.with_name("shim.py.calls")).read_text().splitlines()]
    assert len(calls) >= len(steps)

    def flag(call: list[str], name: str) -> str | None:
        return call[call.index(name) + 1] if name in call else None

    wiki_trained = [c for c in calls if flag(c, "--dataset") == "fewrel/val_wiki" and flag(c, "--train")]
    assert {flag(c, "--train") for c in wiki_trained} == {"fewrel/train_offline", "semeval2010/train"}
    pubmed = [c for c in calls if flag(c, "--dataset") == "fewrel/val_pubmed"]
    assert {flag(c, "--na-rate") for c in pubmed} == {"0", "0.15"}
    assert all(flag(c, "--train") in (None, "fewrel/train_offline") for c in pubmed)
    kshot = [c for c in calls if flag(c, "--protocol") == "kshot"]
    assert {flag(c, "--k") for c in kshot} >= {"8", "16", "32", "8,16,32"}
    icl = [c for c in calls if flag(c, "--methods") == "icl"]
    assert {flag(c, "--icl-permutations") for c in icl} == {"none", "cyclic"} and all(flag(c, "--episodes") == "1000" for c in icl)
