"""The result file's JSON Schema, per version; ``ResultFile`` (results/model.py) builds, reads and writes by it.

The schema's top-level ``properties`` are the file's fields in file order: ``ResultFile.build`` takes
exactly these (tests/test_results_model.py checks its keywords against them) and writes the optional
ones only when set. A new field that old readers can ignore keeps the version; a change that old files cannot
satisfy bumps it, and tests/fixtures keeps one file per version so old results keep loading.
"""

from __future__ import annotations

import copy
from typing import Any

from fsre_bench.errors import DataError

RESULT_KIND = "fsre-bench.result"
# v2: ``method.options`` (what the method read), ``method.label`` (its display label) and
# ``method.ablation_of`` (the method an ablation variant ablates, else null), written by the runner
# so reports never import a method. v1 files (without them) keep loading.
RESULT_SCHEMA_VERSION = 2
SUPPORTED_VERSIONS = (1, 2)

_NUMBER = {"type": "number"}
_OPT_NUMBER = {"type": ["number", "null"]}
_STR = {"type": "string"}
_OPT_STR = {"type": ["string", "null"]}
_SHA = {"type": "string", "pattern": "^[0-9a-f]{64}$"}

_METRIC_SUMMARY = {
    "type": "object",
    "required": ["mean", "ci95", "ci_method", "std_over_seeds", "per_seed"],
    "properties": {
        "mean": _NUMBER,
        "ci95": {"type": "array", "items": _NUMBER, "minItems": 2, "maxItems": 2},
        "ci_method": _STR,
        "std_over_seeds": _OPT_NUMBER,
        "per_seed": {"type": "array", "items": _NUMBER},
    },
}

_NUMERICS = {"type": ["object", "null"], "required": ["mode", "bit_portable", "cpu_capability"],
             "properties": {"mode": {"enum": ["portable", "native"]}, "bit_portable": {"type": "boolean"},
                            "cpu_capability": _OPT_STR, "cpu": {"type": "object"}}}

RESULT_JSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "kind", "schema_version", "run_id", "created_utc", "command", "harness", "env", "config", "method",
        "dataset", "protocol", "setting", "seeds", "episodes", "metrics", "per_seed", "timing", "llm",
    ],
    "properties": {
        "kind": {"const": RESULT_KIND},
        "schema_version": {"const": 1},  # per version: see _schema_for
        "run_id": _STR,
        "created_utc": _STR,
        "command": {"type": "array", "items": _STR},
        "harness": {"type": "object", "required": ["version", "git_hash"],
                    "properties": {"version": _STR, "git_hash": _OPT_STR, "git_dirty": {"type": ["boolean", "null"]}}},
        "env": {"type": "object"},
        # Optional (absent = a result from before numerics modes: native kernels): fsre_bench/numerics.py.
        "config": {"type": "object", "properties": {"numerics": {"enum": ["portable", "native"]}}},
        "method": {
            "type": "object",
            "required": ["name", "type", "backbone", "parameters", "training_data", "training_relations", "knowledge_source"],
            "properties": {
                "name": _STR,
                "type": {"enum": ["floor", "metric", "trained", "icl"]},
                "backbone": _OPT_STR,
                "parameters": {"type": ["integer", "null"]},
                "training_data": _OPT_STR,
                "training_relations": {"type": "array", "items": _STR},
                "knowledge_source": _OPT_STR,
            },
        },
        "dataset": {
            "type": "object",
            "required": ["name", "split", "sha256"],
            "properties": {"name": _STR, "split": _STR, "sha256": _SHA},
        },
        "protocol": {"enum": ["episodic", "natural-nota", "kshot"]},
        "setting": {"type": "object", "required": ["name"], "properties": {"name": _STR}},
        "seeds": {"type": "array", "items": {"type": "integer"}, "minItems": 1},
        "episodes": {
            "type": "object",
            "required": ["requested", "effective", "limited", "files"],
            "properties": {
                "requested": {"type": "integer"},
                "effective": {"type": "integer"},
                "limited": {"type": "boolean"},
                "files": {"type": "array", "items": {"type": "object", "required": ["seed", "sha256"],
                                                       "properties": {"seed": {"type": "integer"}, "sha256": _SHA}}},
            },
        },
        "metrics": {
            "type": "object",
            "required": ["primary"],
            "properties": {"primary": {"enum": ["accuracy", "micro_f1"]}},
            "additionalProperties": _METRIC_SUMMARY,
        },
        "per_seed": {
            "type": "array",
            "items": {"type": "object",
                      "required": ["seed", "episode_file_sha256", "n_episodes", "n_queries", "metrics", "failures",
                                   "predictions", "predictions_sha256"],
                      # Optional: the mode and machine the seed was computed with (fsre_bench/numerics.py)
                      "properties": {"provenance": {"type": ["object", "null"], "properties": {"numerics": _NUMERICS}}}},
        },
        "timing": {"type": "object", "required": ["wall_s"]},
        "llm": {"type": ["object", "null"]},
        # Optional, additive v2 fields (absent in older files; see results/flags.py): the seeds' harness states,
        # their answers over positions and labels, the flags the reports show, and failed LLM requests.
        "provenance": {"type": "object"},
        "answers": {"type": "object"},
        "flags": {"type": "object"},
        "request_failures": {"type": "object", "required": ["failed_queries", "queries", "share", "first_error"]},
        # Optional (absent = the harness ran the method): ``fsre-bench score`` of an outside system's predictions.
        "origin": {
            "type": "object",
            "required": ["provenance", "declared", "predictions"],
            "properties": {
                "provenance": {"enum": ["external"]},
                "declared": {"type": "array", "items": _STR},
                "predictions": {"type": "array", "minItems": 1, "items": {
                    "type": "object", "required": ["seed", "file", "sha256"],
                    "properties": {"seed": {"type": "integer"}, "file": _STR, "sha256": _SHA}}},
            },
        },
    },
}


def _schema_for(version: int) -> dict[str, Any]:
    """v1 as it was; v2 adds the method's options and label."""
    if version == 1:
        return RESULT_JSON_SCHEMA
    schema = copy.deepcopy(RESULT_JSON_SCHEMA)
    schema["properties"]["schema_version"] = {"const": version}
    method = schema["properties"]["method"]
    method["required"] = [*method["required"], "options", "label", "ablation_of"]
    method["properties"].update(options={"type": "object"}, label=_STR, ablation_of=_OPT_STR)
    return schema


def validate_result(result: Any, source: str) -> None:
    """Raise a one-line DataError naming ``source`` if ``result`` is not a valid result of a known version."""
    if not isinstance(result, dict) or result.get("kind") != RESULT_KIND:
        raise DataError(f"{source}: not an fsre-bench result file (no \"kind\": \"{RESULT_KIND}\")")
    version = result.get("schema_version")
    if version not in SUPPORTED_VERSIONS:
        raise DataError(
            f"{source}: result schema version {version!r} is not supported by this fsre-bench "
            f"(it reads {', '.join(map(str, SUPPORTED_VERSIONS))}); upgrade fsre-bench or regenerate the file"
        )
    import jsonschema

    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(_schema_for(version)).iter_errors(result))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "top level"
        raise DataError(f"{source}: invalid result file at {where}: {error.message}")
