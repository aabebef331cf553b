"""Find, load and validate result files, and turn each into one typed row for the reports.

Reports only read files: a row exists because its result file exists, so deleting a file and
regenerating drops the row, and adding one brings it back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fsre_bench.errors import ConfigError, DataError
from fsre_bench.results import load_result

# The runner names every result file n<episodes>_seeds<seeds>_<key>.json (README "Outputs");
# per-seed .meta.json files and anything else in the tree are not results.
RESULT_FILE_GLOB = "n*_seeds*.json"
# The FewRel settings every paper reports come first, in the order papers print them.
STANDARD_SETTINGS = ("5-1", "5-5", "10-1", "10-5")


@dataclass(frozen=True)
class RunRow:
    """One result file as the reports see it."""

    path: Path
    result: dict[str, Any]

    @property
    def dataset(self) -> str:
        return f"{self.result['dataset']['name']}/{self.result['dataset']['split']}"

    @property
    def protocol(self) -> str:
        return self.result["protocol"]

    @property
    def setting(self) -> str:
        """The column name: N-K or K=k, with the NOTA rate when there is one."""
        setting = self.result["setting"]
        na_rate = setting.get("na_rate") or 0.0
        return f"{setting['name']} NOTA {na_rate:.0%}" if na_rate and self.protocol == "episodic" else setting["name"]

    @property
    def method_name(self) -> str:
        return self.result["method"]["name"]

    @property
    def options(self) -> list[tuple[str, str]]:
        """The options this method reads (run-wide flags for other methods, e.g. --knowledge, are not its own)."""
        options = self.result["config"].get("method_options") or {}
        return variant_options(options_of_method(self.method_name, options), self.method_name)

    @property
    def method_label(self) -> str:
        """Method name plus the options that make it a different variant (e.g. a representation)."""
        return self.label_without(())

    def label_without(self, shared: Iterable[tuple[str, str]]) -> str:
        """The label leaving out ``shared`` options (those every variant of a comparison has)."""
        options = [option for option in self.options if option not in set(shared)]
        if not options:
            return self.method_name
        return f"{self.method_name} [{', '.join(f'{k}={v}' for k, v in options)}]"

    @property
    def primary_metric(self) -> str:
        return self.result["metrics"]["primary"]

    def summary(self, metric: str | None = None) -> dict[str, Any]:
        return self.result["metrics"][metric or self.primary_metric]

    @property
    def limited(self) -> bool:
        return bool(self.result["episodes"]["limited"])

    @property
    def episode_files(self) -> tuple[tuple[int, str], ...]:
        return tuple((f["seed"], f["sha256"]) for f in self.result["episodes"]["files"])

    @property
    def size(self) -> int:
        """Evaluated units (episodes x seeds): with several files for one cell, the largest wins."""
        return int(self.result["episodes"]["effective"]) * len(self.result["seeds"])

    @property
    def created_utc(self) -> str:
        return self.result["created_utc"]


def options_of_method(method_name: str, method_options: dict[str, Any]) -> dict[str, Any]:
    """``method_options`` narrowed to what the method declares it reads; all of them for an unknown method."""
    from fsre_bench.methods.protocol import options_read_by
    from fsre_bench.methods.registry import resolve_method_class

    try:
        return options_read_by(resolve_method_class(method_name), method_options)
    except (ConfigError, ImportError):  # a third-party method not installed here: keep what the file says
        return dict(method_options)


def variant_options(method_options: dict[str, Any], method_name: str = "") -> list[tuple[str, str]]:
    """Scalar method options, sorted; nested objects (an LLM endpoint config) are not part of the label.

    Options are named after their method family (``proto_representation``, ``icl_batch_queries``,
    ``tkre_stage1_epochs``); the family prefix is dropped because the label already starts with it.
    """
    family = method_name.split("-")[0] + "_"
    scalars = [(key.removeprefix(family), value) for key, value in method_options.items()
               if isinstance(value, str | int | float | bool)]
    return [(key, _short(value)) for key, value in sorted(scalars)]


def _short(value: Any) -> str:
    return json.dumps(value) if isinstance(value, bool) else str(value)


def find_result_files(results_dir: Path) -> list[Path]:
    """Result files under ``results_dir/runs`` (or under ``results_dir`` when it has no runs/), sorted.

    A ``studies/`` folder right under ``results_dir`` is left out: a study (variants of one method
    on one task) is reported by pointing --results at it, not mixed into the main leaderboard.
    """
    results_dir = Path(results_dir)
    if not results_dir.is_dir():
        raise DataError(f"{results_dir}: no such results directory (run `fsre-bench run --output-dir {results_dir}` first)")
    root = results_dir / "runs" if (results_dir / "runs").is_dir() else results_dir
    studies = results_dir / "studies"
    return sorted(path for path in root.rglob(RESULT_FILE_GLOB)
                  if path.is_file() and not path.is_relative_to(studies))


def load_rows(paths: Iterable[Path]) -> list[RunRow]:
    """Load and validate each file; an unreadable or unknown-version file is a one-line DataError."""
    return [RunRow(Path(path), load_result(Path(path))) for path in paths]


def collect_rows(results_dir: Path) -> list[RunRow]:
    return load_rows(find_result_files(results_dir))


def predictions_records(row: RunRow) -> list[tuple[str, list[dict[str, Any]]]]:
    """Per seed: (episode-file sha256, the episode records of its predictions log), checked against the result."""
    out = []
    for seed_row in row.result["per_seed"]:
        log_path = row.path.parent / seed_row["predictions"]
        records = _read_log(log_path)
        if len(records) != seed_row["n_episodes"]:
            raise DataError(f"{log_path}: holds {len(records)} episodes but {row.path.name} reports "
                            f"{seed_row['n_episodes']}; the log and the result file do not belong together")
        out.append((seed_row["episode_file_sha256"], records))
    return out


def _read_log(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").split("\n")[:-1]  # not splitlines: replies may hold U+2028
    except OSError as exc:
        raise DataError(f"{path}: cannot read the predictions log the result file names ({exc.strerror})") from None
    records = []
    for number, line in enumerate(lines[1:], start=2):
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}: line {number} is not JSON ({exc.msg}); not a predictions log") from None
    return records


def pick_best(rows: Sequence[RunRow]) -> RunRow:
    """Of several results for one cell: unlimited first, then most units, then newest, then path."""
    return max(rows, key=lambda r: (not r.limited, r.size, r.created_utc, str(r.path)))


def setting_order(setting: str) -> tuple[int, int, int, str]:
    """5-1, 5-5, 10-1, 10-5 first; then other N-K by (N, K); K=8 < K=16 < K=32 numerically."""
    if setting in STANDARD_SETTINGS:
        return (0, STANDARD_SETTINGS.index(setting), 0, setting)
    numbers = [int(n) for n in re.findall(r"\d+", setting)]
    padded = [*numbers, 0, 0]
    return (1, padded[0], padded[1], setting)
