"""``fsre-bench score``: an outside system's predictions -> a normal result file, through the runner's assembly.

Each (episode file, predictions file) pair is one seed. The episode file is read by the runner's own
planning (so every check a run makes on it applies), the predictions are written as an ordinary
predictions log beside the result, read once, and ``build_result`` assembles metrics and CIs exactly as for a
method the harness ran. The result records ``origin``: provenance ``external``, each predictions
file's sha256, and which method facts were declared by the submitter rather than observed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from fsre_bench.cache import content_hash, file_sha256
from fsre_bench.data.registry import dataset_specs
from fsre_bench.episodes import read_episode_file
from fsre_bench.errors import ConfigError, DataError
from fsre_bench.external.predictions import read_external_predictions
from fsre_bench.protocols import SAMPLERS
from fsre_bench.results import EXTERNAL, external_label, method_block
from fsre_bench.runner.assemble import SeedRun, build_result, meta_dict
from fsre_bench.runner.config import USER_OUTPUT_DIR, RunConfig
from fsre_bench.runner.lock import holding_unit_locks
from fsre_bench.runner.plan import EpisodeSet, RunData, build_episode_sets, load_run_data
from fsre_bench.runner.predictions_log import PredictionsLog
from fsre_bench.runner.provenance import provenance_summary, seed_provenance
from fsre_bench.runner.runner import unit_directory
from fsre_bench.runner.seed_log import SeedLogSummary, read_complete_log
from fsre_bench.runner.work_estimate import check_work
from fsre_bench.types import EpisodePrediction, MethodMeta

METHOD_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*")
DECLARED_FIELDS = ("name", "type", "backbone", "parameters", "training_data", "description")


@dataclass
class Submission:
    """What the submitter says about the system; none of it is checked by the harness, except
    that declared training data must not share relations with the evaluation split."""

    name: str
    type: str = "trained"  # unknown systems get the trained (seed-level) treatment: the cautious default
    backbone: str | None = None
    parameters: int | None = None
    training_data: str | None = None
    description: str = ""


@dataclass
class ScorePair:
    episodes_file: Path
    predictions: Path
    seed: int | None = None  # declared seed: must be the episode file's


def score_predictions(pairs: Sequence[ScorePair], submission: Submission, *, dataset: str | None = None,
                      data_dir: str | None = None, output_dir: str = USER_OUTPUT_DIR, n_bootstrap: int = 1000,
                      command: Sequence[str] = ()) -> tuple[Path, dict[str, Any]]:
    """Validate every pair, write one predictions log per seed and the assembled result; (path, result)."""
    if not pairs:
        raise ConfigError("no --episodes-file / --predictions given")
    _check_name(submission.name)
    config = _config(pairs, submission, dataset, data_dir, output_dir, n_bootstrap)
    check_work(config)  # --n-bootstrap 10**9: refused with the estimate before reading anything
    data = load_run_data(config)
    sets = [_episode_set(replace(config, episodes_file=str(pair.episodes_file)), data, pair) for pair in pairs]
    _check_one_task(sets, pairs)
    answers = [read_external_predictions(pair.predictions, es.episodes, es.sha256)  # all checked before any write
               for es, pair in zip(sets, pairs, strict=True)]
    prediction_shas = [file_sha256(pair.predictions) for pair in pairs]
    setting = sets[0].setting
    directory = unit_directory(submission.name, config, data, setting)
    key = content_hash(EXTERNAL, submission.name, prediction_shas, [s.sha256 for s in sets])
    result_path = directory / f"n{len(sets[0].episodes)}_seeds{'-'.join(str(s.seed) for s in sets)}_{key[:10]}.json"
    with holding_unit_locks([directory]):  # as the runner does: one writer per unit directory
        try:
            written = [_write_log(directory, key, es, labels, submission.name, sha)
                       for es, labels, sha in zip(sets, answers, prediction_shas, strict=True)]
        except OSError as exc:
            raise DataError(f"cannot write predictions under {directory}: {exc.strerror}") from None
        seed_runs = [run for run, _ in written]
        provenance = provenance_summary([(run.episode_set.seed, run.provenance) for run in seed_runs],
                                        allow_mixed=False, source=str(result_path))
        logs = [_read_log(log, run.episode_set, data) for run, log in written]
        origin = {
            "provenance": EXTERNAL,
            "declared": [field for field in DECLARED_FIELDS if getattr(submission, field) not in (None, "")],
            "predictions": [{"seed": es.seed, "file": str(pair.predictions), "sha256": sha}
                            for es, pair, sha in zip(sets, pairs, prediction_shas, strict=True)],
        }
        result = build_result(config=config, data=data,
                              method=method_block(meta_dict(_meta(submission, data)), {},
                                                  label=external_label(submission.name)),
                              setting=setting, seed_runs=seed_runs, logs=logs, result_path=result_path,
                              command=command, provenance=provenance, origin=origin)
        result.write()
    return result_path, result.result


def _check_name(name: str) -> None:
    from fsre_bench.methods.registry import method_specs

    if not METHOD_NAME.fullmatch(name):
        raise ConfigError(f"--method-name {name!r}: use letters, digits and . _ + - (it names a folder)")
    if name in method_specs():
        raise ConfigError(f"--method-name {name!r} is a method the harness runs; give your system its own name "
                          "(its results share the method's folder and must never pass for the harness's)")


def _config(pairs: Sequence[ScorePair], submission: Submission, dataset: str | None, data_dir: str | None,
            output_dir: str, n_bootstrap: int) -> RunConfig:
    """The run config an in-harness run on the first episode file would have (the result records it)."""
    headers = [read_episode_file(pair.episodes_file)[0] for pair in pairs]
    header = headers[0]
    name = f"{header['dataset']}/{header['split']}"
    if dataset is None and name not in dataset_specs():
        raise ConfigError(f"{pairs[0].episodes_file}: built from {name}, which is not a registered dataset; "
                          "pass --dataset PATH (the file the episodes were built from)")
    protocol = header["protocol"]
    shape = ({"k_values": [header["k_shot"]]} if protocol == "kshot"
             else {"settings": [f"{header['n_way']}-{header['k_shot']}"], "n_query": header["n_query"],
                   "na_rate": header["na_rate"] or 0.0, "episodes": header["n_episodes"],
                   # an official file's sampler (fs-tacred-official) is no sampling choice: the file is read, as in
                   # `run --episodes-file`, whose config keeps the default; its header still names the sampler
                   "sampler": header["sampler"] if header["sampler"] in SAMPLERS else "default"})
    return RunConfig(methods=[submission.name], dataset=dataset or name, protocol=protocol,
                     seeds=[int(h["seed"]) for h in headers],
                     episodes_file=str(pairs[0].episodes_file), train=submission.training_data, data_dir=data_dir,
                     output_dir=output_dir, n_bootstrap=n_bootstrap, **shape).on_this_machine()


def _episode_set(config: RunConfig, data: RunData, pair: ScorePair) -> EpisodeSet:
    (episode_set,) = build_episode_sets(config, data)  # the runner's reading: dataset, ids, protocol checked
    if pair.seed is not None and pair.seed != episode_set.seed:
        raise ConfigError(f"--seed {pair.seed} but {pair.episodes_file} holds the episodes of seed {episode_set.seed}")
    return episode_set


def _check_one_task(sets: Sequence[EpisodeSet], pairs: Sequence[ScorePair]) -> None:
    """Seeds of one result share a setting and never repeat (a seed-level CI needs distinct seeds)."""
    seen: dict[int, Path] = {}
    for es, pair in zip(sets, pairs, strict=True):
        if es.setting != sets[0].setting:
            raise ConfigError(f"{pair.episodes_file} is setting {es.setting}, {pairs[0].episodes_file} is "
                              f"{sets[0].setting}; score each setting separately")
        if es.seed in seen:
            raise ConfigError(f"{pair.episodes_file} and {seen[es.seed]} are both seed {es.seed}")
        seen[es.seed] = pair.episodes_file


def _write_log(directory: Path, key: str, es: EpisodeSet, labels: Sequence[tuple[str, ...]], name: str,
               predictions_sha256: str) -> tuple[SeedRun, PredictionsLog]:
    """The validated predictions as an ordinary predictions log (what the reports pair and re-score).

    The seed's provenance is the harness state that validated and scored it (the predictions themselves
    come from outside; their file's sha256 is kept with it), so an external result is not "mixed".
    """
    log = PredictionsLog(directory / f"seed{es.seed}_{es.sha256[:10]}_{key[:8]}.predictions.jsonl",
                         {"method": name, "method_config": key, "episode_file_sha256": es.sha256, "seed": es.seed,
                          "setting": es.setting, "provenance": EXTERNAL})
    log._reset()  # the same inputs always give the same log; never append to an old one
    try:
        for episode, episode_labels in zip(es.episodes, labels, strict=True):
            log.append(episode, EpisodePrediction(episode.id, episode_labels))
    finally:
        log.close()
    # numerics None: the predictions were computed elsewhere, on a machine the harness never saw
    provenance = {**seed_provenance(None, None), "numerics": None, "external_predictions_sha256": predictions_sha256}
    return SeedRun(es, log.path, timing={"wall_s": 0.0}, provenance=provenance), log


def _read_log(log: PredictionsLog, es: EpisodeSet, data: RunData) -> SeedLogSummary:
    """The log just written, read once for the result (as the runner reads its logs)."""
    summary = read_complete_log(log, es.episodes, negative_label=data.evaluation.negative_label,
                                per_query=data.episode_data.protocol == "kshot")
    if summary is None:  # only if the disk lost what was just written and flushed
        raise DataError(f"{log.path}: the predictions log just written does not hold the {len(es.episodes)} episodes")
    return summary


def _meta(submission: Submission, data: RunData) -> MethodMeta:
    relations = [r for r in data.train.relations if r != data.train.negative_label] if data.train else []
    return MethodMeta(name=submission.name, type=submission.type, backbone=submission.backbone,
                      parameters=submission.parameters, training_data=submission.training_data,
                      training_relations=relations, description=submission.description)
