"""A third-party method registered through the real ``fsre_bench.methods`` entry-point group.

The package is a module plus a ``.dist-info`` (METADATA, entry_points.txt) in a temporary directory
on PYTHONPATH, so importlib.metadata finds it exactly as it finds an installed distribution. Its
spec declares one option and one ablation; ``run --help`` shows the option under the method, and
``run`` and ``ablate`` use both without the harness knowing anything about the method.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

PLUGIN = '''
from fsre_bench.methods import Ablation, MethodOption, MethodSpec
from fsre_bench.types import EpisodePrediction, MethodMeta

SPEC = MethodSpec(
    "throwaway", "throwaway_method:PickMethod", "answers the episode's relation number --throwaway-pick",
    options=(MethodOption("throwaway_pick", int, 0, "which of the episode's relations to answer", metavar="I"),),
    reads=("throwaway_pick",),
    ablations=(Ablation("throwaway-first", "always the first relation", {"fixed": 0}),),
)


class PickMethod:
    name = "throwaway"

    def __init__(self, config, fixed=None):
        self.config = config
        self.pick = fixed if fixed is not None else int(config.option("throwaway_pick", 0))
        self.name = "throwaway" if fixed is None else "throwaway-first"

    @property
    def meta(self):
        return MethodMeta(name=self.name, type="floor", description="a fixed relation")

    def fit(self, train):
        return None

    def predict(self, episodes, data):
        for episode in episodes:
            label = episode.relations[self.pick % len(episode.relations)]
            yield EpisodePrediction(episode.id, tuple(label for _ in episode.queries))

    def close(self):
        return None
'''


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("plugin")
    (root / "throwaway_method.py").write_text(PLUGIN)
    dist = root / "throwaway_method-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: throwaway-method\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[fsre_bench.methods]\nthrowaway = throwaway_method:SPEC\n")
    return root


def fsre_bench(plugin: Path, *argv: str) -> subprocess.CompletedProcess:
    # COLUMNS: rich tables are not wrapped, so labels can be read back whole.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(plugin), str(REPO)]), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "fsre_bench.cli.main", *argv], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=300)


def test_run_help_lists_the_plugins_option_under_the_plugin(plugin_path: Path) -> None:
    done = fsre_bench(plugin_path, "run", "--help")
    assert done.returncode == 0, done.stderr
    group = done.stdout.split("throwaway: answers the episode's relation number --throwaway-pick:", 1)[1]
    assert group.lstrip().startswith("--throwaway-pick I")
    assert "--proto-representation" in done.stdout  # the built-in methods' declarations are there too
    ablate = fsre_bench(plugin_path, "ablate", "--help")
    assert "throwaway" in ablate.stdout and "tkre" in ablate.stdout


def test_run_passes_the_option_and_records_it_in_the_result(plugin_path: Path, tmp_path: Path, data_dir) -> None:
    done = fsre_bench(plugin_path, "run", "--methods", "throwaway", "--throwaway-pick", "2", "--dataset",
                      "fewrel/val_wiki", "--episodes", "3", "--n-bootstrap", "100", "--output-dir", str(tmp_path))
    assert done.returncode == 0, done.stderr
    (path,) = (tmp_path / "runs" / "fewrel_val_wiki" / "episodic" / "5-1" / "throwaway").glob("n3_*.json")
    result = json.loads(path.read_text())
    assert result["method"]["options"] == {"throwaway_pick": 2}
    assert result["method"]["label"] == "throwaway [pick=2]"
    log = path.parent / result["per_seed"][0]["predictions"]
    records = [json.loads(line) for line in log.read_text().splitlines()[1:]]
    assert len(records) == 3 and all(len(set(r["pred"])) == 1 for r in records)


def test_ablate_runs_the_plugins_declared_ablation_on_the_same_episodes(plugin_path: Path, tmp_path: Path,
                                                                        data_dir) -> None:
    done = fsre_bench(plugin_path, "ablate", "throwaway", "--throwaway-pick", "2", "--dataset", "fewrel/val_wiki",
                      "--episodes", "4", "--n-bootstrap", "100", "--output-dir", str(tmp_path))
    assert done.returncode == 0, done.stderr
    setting_dir = tmp_path / "runs" / "fewrel_val_wiki" / "episodic" / "5-1"
    results = {name: json.loads(next((setting_dir / name).glob("n4_*.json")).read_text())
               for name in ("throwaway", "throwaway-first")}
    assert results["throwaway-first"]["method"]["options"] == {"throwaway_pick": 2}  # read, and overridden by the variant
    assert results["throwaway"]["episodes"]["files"] == results["throwaway-first"]["episodes"]["files"]
    assert (results["throwaway"]["method"]["ablation_of"], results["throwaway-first"]["method"]["ablation_of"]) == (
        None, "throwaway")
    table = (tmp_path / "ablations" / "throwaway-fewrel_val_wiki-episodic-5-1.md").read_text()
    assert "| throwaway (reference) |" in table and "| throwaway-first |" in table
    # The report finds the family from the result files alone (the variant's name says nothing about it).
    report = fsre_bench(plugin_path, "report", "ablation", "--results", str(tmp_path), "--dataset", "fewrel/val_wiki",
                        "--setting", "5-1", "--reference", "throwaway", "--n-bootstrap", "100")
    assert report.returncode == 0, report.stderr
    assert "throwaway (reference)" in report.stdout and "throwaway-first" in report.stdout


def test_ablate_on_ray_writes_the_local_executors_predictions(plugin_path: Path, tmp_path: Path, data_dir) -> None:
    """A private local Ray started by the driver; its workers find the plugin through the driver's PYTHONPATH."""
    for executor in ("local", "ray"):
        done = fsre_bench(plugin_path, "ablate", "throwaway", "--throwaway-pick", "2", "--dataset", "fewrel/val_wiki",
                          "--episodes", "4", "--n-bootstrap", "100", "--output-dir", str(tmp_path / executor),
                          "--executor", executor)
        assert done.returncode == 0, done.stderr
    assert "ray: 2 unit(s) to run, 0 already complete" in done.stderr

    def logs(out: Path) -> dict[str, bytes]:
        return {str(p.relative_to(out)): p.read_bytes() for p in sorted((out / "runs").rglob("*.predictions.jsonl"))}

    assert len(logs(tmp_path / "ray")) == 2 and logs(tmp_path / "ray") == logs(tmp_path / "local")
    assert (tmp_path / "ray" / "ablations" / "throwaway-fewrel_val_wiki-episodic-5-1.md").exists()
