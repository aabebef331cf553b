"""Turn completed predictions logs, each read once (runner/seed_log.py), into a ``ResultFile`` (metrics with CIs, provenance)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fsre_bench.metrics.degenerate import DistributionCounts, accuracy_by_gold_position, degenerate_verdict
from fsre_bench.metrics.negative_class import NegativeClassCounts
from fsre_bench.results import PRIMARY_METRIC, ResultFile
from fsre_bench.results.recompute import seed_metrics, summarize_counts
from fsre_bench.runner.config import RunConfig
from fsre_bench.runner.plan import EpisodeSet, RunData
from fsre_bench.runner.provenance import environment_info, harness_info
from fsre_bench.runner.seed_log import SeedLogSummary
from fsre_bench.types import MethodMeta


@dataclass
class SeedRun:
    """One method on one (setting, seed) episode set, with its log and what the run measured."""

    episode_set: EpisodeSet
    log_path: Path
    timing: dict[str, float] = field(default_factory=dict)
    llm: dict[str, Any] | None = None
    provenance: dict[str, Any] | None = None  # None: predicted before per-seed provenance was recorded
    training_data: str | None = None  # what this seed's model trained on (K-shot: its own split)


def build_result(
    *,
    config: RunConfig,
    data: RunData,
    method: dict[str, Any],
    setting: str,
    seed_runs: Sequence[SeedRun],
    logs: Sequence[SeedLogSummary],
    result_path: Path,
    command: Sequence[str],
    provenance: dict[str, Any] | None = None,
    request_failures: dict[str, Any] | None = None,
    origin: dict[str, Any] | None = None,
) -> ResultFile:
    """The result of ``seed_runs``, from each seed's log read once (``logs``, in the same order), validated.

    ``method`` is ``results.method_block``; ``request_failures`` (harness runs) and ``origin`` (external
    predictions) go into the file as given.
    """
    counts = [log.counts for log in logs]
    trained = method["type"] == "trained"  # its fitted model depends on the seed: the CI must include that
    metrics: dict[str, Any] = {"primary": PRIMARY_METRIC[config.protocol],
                               **summarize_counts(counts, protocol=config.protocol, trained=trained,
                                                  n_bootstrap=config.n_bootstrap)}
    answers = answer_distribution(seed_runs, logs)
    provenance = provenance or {"states": [], "mixed": False, "dirty": False}
    first = seed_runs[0].episode_set
    return ResultFile.build(
        result_path,
        command=command, harness=harness_info(), env=environment_info(config.device), config=config.to_dict(),
        method=method, dataset=_dataset_info(data), protocol=config.protocol,
        setting={"name": setting, **{k: first.header.get(k) for k in ("n_way", "k_shot", "n_query", "na_rate", "sampler")}},
        seeds=[run.episode_set.seed for run in seed_runs],
        episodes={
            "requested": first.requested,
            "effective": len(first.episodes),
            "limited": any(run.episode_set.limited for run in seed_runs),
            "files": [{"seed": r.episode_set.seed, "sha256": r.episode_set.sha256, "header": r.episode_set.header}
                      for r in seed_runs],
        },
        metrics=metrics,
        per_seed=[_seed_row(run, log, result_path) for run, log in zip(seed_runs, logs, strict=True)],
        timing=_total_timing(seed_runs), llm=_total_llm(seed_runs),
        provenance=provenance, answers=answers,
        flags={
            "limited": any(run.episode_set.limited for run in seed_runs),
            "mixed": provenance["mixed"], "dirty": provenance["dirty"],
            # Per seed too: one collapsed seed of 3 hides in the pooled shares.
            "degenerate": degenerate_verdict(answers["distribution"]) or _first(answers["degenerate_seeds"]),
            "degenerate_seeds": answers["degenerate_seeds"],
            "training_variance_measured": not trained or len(seed_runs) > 1,
        },
        request_failures=request_failures, origin=origin,
    )


def answer_distribution(seed_runs: Sequence[SeedRun], logs: Sequence[SeedLogSummary]) -> dict:
    """Predictions over answer positions and labels, pooled over seeds, accuracy by gold position, each seed's
    degenerate verdict, and the negative class's precision/recall (datasets with a negative label)."""
    pooled = DistributionCounts()
    per_seed = []
    for run, log in zip(seed_runs, logs, strict=True):
        pooled.merge(log.distribution)
        verdict = degenerate_verdict(log.distribution.to_dict())
        per_seed.append({**verdict, "seed": run.episode_set.seed} if verdict else None)
    distribution = pooled.to_dict()
    negative = [log.negative_class for log in logs if log.negative_class is not None]
    return {"distribution": distribution, "accuracy_by_gold_position": accuracy_by_gold_position(distribution),
            "degenerate_seeds": per_seed,
            "negative_class": _merged(negative).to_dict() if negative else None}


def _merged(counts: Sequence[NegativeClassCounts]) -> NegativeClassCounts:
    merged = NegativeClassCounts(counts[0].negative)
    for seed_counts in counts:
        merged.merge(seed_counts)
    return merged


def _first(verdicts: Sequence[dict[str, Any] | None]) -> dict[str, Any] | None:
    return next((verdict for verdict in verdicts if verdict), None)


def _seed_row(run: SeedRun, log: SeedLogSummary, result_path: Path) -> dict[str, Any]:
    return {
        "seed": run.episode_set.seed,
        "episode_file_sha256": run.episode_set.sha256,
        "n_episodes": log.n_episodes,
        "n_queries": log.n_queries,
        "metrics": seed_metrics(log.counts),
        "failures": log.failures,
        "predictions": str(run.log_path.relative_to(result_path.parent)),
        "predictions_sha256": log.sha256,
        "timing": run.timing,
        "llm": run.llm,
        "provenance": run.provenance,
        "training_data": run.training_data,
    }


def meta_dict(meta: MethodMeta) -> dict[str, Any]:
    return {
        "name": meta.name, "type": meta.type, "backbone": meta.backbone, "parameters": meta.parameters,
        "training_data": meta.training_data, "training_relations": list(meta.training_relations),
        "knowledge_source": meta.knowledge_source, "description": meta.description, "extra": meta.extra,
    }


def _dataset_info(data: RunData) -> dict[str, Any]:
    info: dict[str, Any] = {
        "name": data.evaluation.name, "split": data.evaluation.split, "sha256": data.evaluation.source_sha256,
        "n_relations": len(data.evaluation.relations), "n_instances": len(data.evaluation),
        "negative_label": data.evaluation.negative_label,
    }
    if data.evaluation.patch_report is not None:
        info["patch_report"] = data.evaluation.patch_report
    if data.support_pool is not None:
        info["support_pool"] = {"name": data.support_pool.name, "sha256": data.support_pool.source_sha256}
        if data.support_pool.patch_report is not None:
            info["support_pool"]["patch_report"] = data.support_pool.patch_report
    if data.train is not None:
        info["train"] = {"name": data.train.name, "split": data.train.split, "sha256": data.train.source_sha256,
                         "relations": list(data.train.relations), "n_instances": len(data.train)}
        if data.train.build_report is not None:
            info["train"]["build_report"] = data.train.build_report
        if data.leakage is not None:
            info["train"]["leakage"] = data.leakage
    return info


def _total_timing(seed_runs: Sequence[SeedRun]) -> dict[str, float]:
    keys = ("wall_s", "fit_s", "predict_s")
    total = {k: round(sum(r.timing.get(k, 0.0) for r in seed_runs), 3) for k in keys}
    episodes = sum(len(r.episode_set.episodes) for r in seed_runs)
    total["episodes_per_s"] = round(episodes / total["predict_s"], 2) if total["predict_s"] else 0.0
    return total


def _total_llm(seed_runs: Sequence[SeedRun]) -> dict[str, Any] | None:
    usages = [r.llm for r in seed_runs if r.llm]
    if not usages:
        return None
    total: dict[str, Any] = {}
    for usage in usages:
        for key, value in usage.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                total[key] = (total.get(key) or 0) + value
            else:
                total.setdefault(key, value)
    return total
