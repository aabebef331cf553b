"""Turn completed predictions logs into a result file's contents (metrics with CIs, provenance)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from fsre_bench.cache import file_sha256
from fsre_bench.metrics.degenerate import (
    accuracy_by_gold_position,
    degenerate_verdict,
    prediction_distribution,
)
from fsre_bench.metrics.negative_class import negative_class_stats
from fsre_bench.results import PRIMARY_METRIC, method_block, new_result
from fsre_bench.results.recompute import records_counts, seed_metrics, summarize_counts
from fsre_bench.runner.config import RunConfig
from fsre_bench.runner.plan import EpisodeSet, RunData
from fsre_bench.runner.provenance import environment_info, harness_info
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
    meta: dict[str, Any],
    options_read: dict[str, Any],
    ablation_of: str | None,
    setting: str,
    seed_runs: Sequence[SeedRun],
    records_per_seed: Sequence[Sequence[dict[str, Any]]],
    result_path: Path,
    command: Sequence[str],
    provenance: dict[str, Any] | None = None,
) -> dict[str, Any]:
    counts = records_counts(records_per_seed, data.evaluation.negative_label, config.protocol)
    trained = meta["type"] == "trained"  # its fitted model depends on the seed: the CI must include that
    metrics: dict[str, Any] = {"primary": PRIMARY_METRIC[config.protocol],
                               **summarize_counts(counts, protocol=config.protocol, trained=trained,
                                                  n_bootstrap=config.n_bootstrap)}
    answers = answer_distribution(seed_runs, records_per_seed, data.evaluation.negative_label)
    provenance = provenance or {"states": [], "mixed": False, "dirty": False}
    first = seed_runs[0].episode_set
    return new_result(
        command=command, harness=harness_info(), env=environment_info(config.device), config=config.to_dict(),
        method=method_block(meta, options_read, ablation_of), dataset=_dataset_info(data), protocol=config.protocol,
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
        per_seed=[_seed_row(run, records, metrics_for(c), result_path)
                  for run, records, c in zip(seed_runs, records_per_seed, counts, strict=True)],
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
    )


def answer_distribution(seed_runs: Sequence[SeedRun], records_per_seed: Sequence[Sequence[dict[str, Any]]],
                        negative_label: str | None = None) -> dict:
    """Predictions over answer positions and labels, pooled over seeds, accuracy by gold position, each seed's
    degenerate verdict, and the negative class's precision/recall (datasets with a negative label)."""
    def episodes() -> Iterator[tuple[Sequence[str], Sequence[str], Sequence[str]]]:
        for run, records in zip(seed_runs, records_per_seed, strict=True):
            yield from _relations_beside_records(run.episode_set.episodes, records)

    distribution = prediction_distribution(episodes())
    per_seed = []
    for run, records in zip(seed_runs, records_per_seed, strict=True):
        relations = {episode.id: episode.relations for episode in run.episode_set.episodes}
        verdict = degenerate_verdict(prediction_distribution((relations[r["episode"]], r["pred"], r["gold"])
                                                             for r in records))
        per_seed.append({**verdict, "seed": run.episode_set.seed} if verdict else None)
    return {"distribution": distribution, "accuracy_by_gold_position": accuracy_by_gold_position(distribution),
            "degenerate_seeds": per_seed,
            "negative_class": negative_class_stats(((r["pred"], r["gold"]) for records in records_per_seed
                                                    for r in records), negative_label) if negative_label else None}


def _first(verdicts: Sequence[dict[str, Any] | None]) -> dict[str, Any] | None:
    return next((verdict for verdict in verdicts if verdict), None)


def _relations_beside_records(episodes: Sequence[Any], records: Iterable[dict[str, Any]]) -> Iterator[tuple]:
    """(relations, pred, gold) per record. Logs hold their episodes in order (PredictionsLog.completed
    checks each id), so both are read side by side as streams; out of order, a lookup table is built."""
    records = iter(records)
    for episode in episodes:
        record = next(records, None)
        if record is None:
            return
        if record["episode"] != episode.id:
            relations = {e.id: e.relations for e in episodes}
            for late in (record, *records):
                yield relations[late["episode"]], late["pred"], late["gold"]
            return
        yield episode.relations, record["pred"], record["gold"]


def metrics_for(counts: np.ndarray) -> dict[str, float]:
    return seed_metrics(counts)


def _seed_row(run: SeedRun, records: Sequence[dict[str, Any]], metrics: dict[str, float], result_path: Path) -> dict[str, Any]:
    return {
        "seed": run.episode_set.seed,
        "episode_file_sha256": run.episode_set.sha256,
        "n_episodes": len(records),
        "n_queries": sum(len(r["gold"]) for r in records),
        "metrics": metrics,
        "failures": sum(r.get("failures", 0) for r in records),
        "predictions": str(run.log_path.relative_to(result_path.parent)),
        "predictions_sha256": file_sha256(run.log_path),
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
