"""Shared helpers for the report tests: the committed v1 result files and small real runs."""

from __future__ import annotations

import shutil
from pathlib import Path

from fsre_bench.cli.main import main

# Real harness output (random, proto, icl on FewRel val_wiki 5-1/5-5; random, proto K-shot on SemEval),
# kept so result schema v1 keeps loading; tests/fixtures/results/README.md says how they were made.
FIXTURE_RESULTS = Path(__file__).parents[1] / "fixtures" / "results" / "v1"
FEWREL_5_1 = FIXTURE_RESULTS / "runs" / "fewrel_val_wiki" / "episodic" / "5-1"
SEMEVAL_K8 = FIXTURE_RESULTS / "runs" / "semeval2010_test" / "kshot" / "K8"


def result_file(directory: Path) -> Path:
    (path,) = sorted(directory.glob("n*_seeds*.json"))
    return path


def copy_results(destination: Path) -> Path:
    shutil.copytree(FIXTURE_RESULTS, destination)
    return destination


def run_random(output_dir: Path, *extra: str) -> None:
    """A real (cheap) harness run: the random floor on FewRel val_wiki."""
    code = main(["run", "--methods", "random", "--dataset", "fewrel/val_wiki", "--output-dir", str(output_dir), *extra])
    assert code == 0


def table_section(markdown: str, heading_start: str) -> str:
    """The lines of one leaderboard table, from its heading to the next blank-line-separated block."""
    start = markdown.index(heading_start)
    end = markdown.find("\n\n", markdown.index("| ---", start))
    return markdown[start:end]
