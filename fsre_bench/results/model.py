"""The one result class: ``ResultFile`` builds a result (``build``), reads it (``load``), validates both and writes it.

The runner and ``fsre-bench score`` build results only through ``ResultFile.build``, every field passed
at construction (nothing is patched afterwards), and the reports read them only through
``ResultFile.load``; the JSON Schema it validates against (results/schema.py) lists the same fields.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fsre_bench.atomic import atomic_write_json
from fsre_bench.bounded_read import read_bounded_text
from fsre_bench.errors import DataError
from fsre_bench.protocols import PRIMARY_METRIC
from fsre_bench.results.labels import method_label, v1_options_read, variant_options
from fsre_bench.results.predictions import read_predictions_log
from fsre_bench.results.schema import RESULT_JSON_SCHEMA, RESULT_KIND, RESULT_SCHEMA_VERSION, validate_result

__all__ = ["EXTERNAL", "FIELDS", "PRIMARY_METRIC", "STAMPED", "ResultFile", "external_label", "method_block"]

FIELDS = tuple(RESULT_JSON_SCHEMA["properties"])  # a result's fields, in file order: the schema's
REQUIRED = frozenset(RESULT_JSON_SCHEMA["required"])  # always written (``llm`` may be null); the rest only when set
STAMPED = ("kind", "schema_version", "run_id", "created_utc")  # filled by ``build`` itself, never passed


def method_block(meta: dict[str, Any], options_read: dict[str, Any], ablation_of: str | None = None,
                 label: str | None = None) -> dict[str, Any]:
    """The result's ``method``: the method's meta plus the options it read, its display label (derived from the
    name and options unless given, e.g. an external system's) and, for an ablation variant, the method it ablates."""
    label = label or method_label(meta["name"], variant_options(options_read, meta["name"]))
    return {**meta, "options": options_read, "label": label, "ablation_of": ablation_of}


EXTERNAL = "external"  # origin.provenance of a result scored from predictions made outside the harness


def external_label(label: str) -> str:
    """An external row's label: it never merges with (or passes for) a harness row of the same name."""
    return f"{label} ({EXTERNAL})"


@dataclass(frozen=True)
class ResultFile:
    """One result file of any supported schema version, valid by construction (``__post_init__`` validates)."""

    path: Path
    result: dict[str, Any]

    def __post_init__(self) -> None:
        validate_result(self.result, str(self.path))

    @classmethod
    def build(cls, path: Path, *, command: Sequence[str], harness: dict[str, Any], env: dict[str, Any],
              config: dict[str, Any], method: dict[str, Any], dataset: dict[str, Any], protocol: str,
              setting: dict[str, Any], seeds: list[int], episodes: dict[str, Any], metrics: dict[str, Any],
              per_seed: list[dict[str, Any]], timing: dict[str, Any], llm: dict[str, Any] | None,
              provenance: dict[str, Any] | None = None, answers: dict[str, Any] | None = None,
              flags: dict[str, Any] | None = None, request_failures: dict[str, Any] | None = None,
              origin: dict[str, Any] | None = None) -> ResultFile:
        """A new result of the current schema version, to be written at ``path``.

        The keywords are the schema's fields (tests/test_results_model.py checks both lists agree). The
        optional ones are additive: ``provenance`` (the seeds' harness states), ``answers`` (their distribution
        over positions and labels), ``flags``, ``request_failures`` (failed LLM requests, harness runs) and
        ``origin`` (``fsre-bench score`` of outside predictions); left None they are left out, as old files lack them.
        """
        values = {"kind": RESULT_KIND, "schema_version": RESULT_SCHEMA_VERSION, "run_id": uuid.uuid4().hex,
                  "created_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "command": list(command),
                  "harness": harness, "env": env, "config": config, "method": method, "dataset": dataset,
                  "protocol": protocol, "setting": setting, "seeds": seeds, "episodes": episodes, "metrics": metrics,
                  "per_seed": per_seed, "timing": timing, "llm": llm, "provenance": provenance, "answers": answers,
                  "flags": flags, "request_failures": request_failures, "origin": origin}
        return cls(Path(path), {key: values[key] for key in FIELDS if key in REQUIRED or values[key] is not None})

    @classmethod
    def load(cls, path: Path) -> ResultFile:
        """Read and validate a result file; anything unreadable or invalid is a one-line DataError naming it."""
        path = Path(path)
        try:
            result = json.loads(read_bounded_text(path, "result"))
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
        except OSError as exc:
            raise DataError(f"{path}: cannot read result file ({exc.strerror})") from None
        except UnicodeDecodeError as exc:
            raise DataError(f"{path}: not a UTF-8 result file (byte {exc.start}: {exc.reason})") from None
        return cls(path, result)

    def write(self) -> None:
        """Validate again (``result`` is a plain dict), then write atomically: the file's existence means complete."""
        validate_result(self.result, str(self.path))
        atomic_write_json(self.path, self.result)

    @property
    def request_failures(self) -> dict[str, Any] | None:
        """Failed LLM requests over all seeds (runner/request_failures.py); None in files from before they were kept."""
        return self.result.get("request_failures")

    @property
    def failed_queries(self) -> int:
        """Queries whose LLM request failed, from ``per_seed`` (files of any age have it)."""
        return sum(int(row.get("failures") or 0) for row in self.result["per_seed"])

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
    def options_read(self) -> dict[str, Any]:
        """The options this method read (run-wide flags for other methods, e.g. --knowledge, are not its own)."""
        if "options" in self.result["method"]:
            return self.result["method"]["options"]
        return v1_options_read(self.method_name, self.result["config"].get("method_options") or {})

    @property
    def options(self) -> list[tuple[str, str]]:
        """The scalar options that tell variants of this method apart, family prefix dropped."""
        return variant_options(self.options_read, self.method_name)

    @property
    def method_label(self) -> str:
        """Method name plus the options that make it a different variant (e.g. a representation)."""
        return self.result["method"].get("label") or self.label_without(())

    def label_without(self, shared: Iterable[tuple[str, str]]) -> str:
        """The label leaving out ``shared`` options (those every variant of a comparison has)."""
        shared = set(shared)
        label = method_label(self.method_name, [option for option in self.options if option not in shared])
        return external_label(label) if self.provenance == EXTERNAL else label

    @property
    def ablation_of(self) -> str | None:
        """The method this one ablates; v1 files did not record it, and TKRE's were named ``<family>-no-*``."""
        if "ablation_of" in self.result["method"]:
            return self.result["method"]["ablation_of"]
        family, sep, _ = self.method_name.partition("-no-")
        return family if sep else None

    @property
    def provenance(self) -> str:
        """``harness`` (the harness ran the method) or ``external`` (``fsre-bench score`` of submitted predictions)."""
        return (self.result.get("origin") or {}).get("provenance", "harness")

    @property
    def declared(self) -> tuple[str, ...]:
        """Method facts the submitter declared and the harness did not observe (external results only)."""
        return tuple((self.result.get("origin") or {}).get("declared", ()))

    @property
    def numerics(self) -> str:
        """``portable`` or ``native`` CPU kernels (fsre_bench/numerics.py); results from before the mode existed ran native."""
        return (self.result.get("config") or {}).get("numerics") or "native"

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

    def predictions_records(self) -> list[tuple[str, list[dict[str, Any]]]]:
        """Per seed: (episode-file sha256, the records of its predictions log), checked against the result."""
        out = []
        for seed_row in self.result["per_seed"]:
            log_path = self.path.parent / seed_row["predictions"]
            records = read_predictions_log(log_path)
            if len(records) != seed_row["n_episodes"]:
                raise DataError(f"{log_path}: holds {len(records)} episodes but {self.path.name} reports "
                                f"{seed_row['n_episodes']}; the log and the result file do not belong together")
            out.append((seed_row["episode_file_sha256"], records))
        return out
