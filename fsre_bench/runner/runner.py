"""Runs methods x settings x seeds: resumable, flushed per episode, results written atomically.

The runner owns I/O, resume, progress and seeds; methods own models. Order of work:
plan (data + episodes, all checks) -> per method and seed: build, fit, predict every pending
setting -> per setting: assemble the result from the logs once every seed is complete.
"""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fsre_bench.atomic import atomic_write_json
from fsre_bench.cache import cache_root, content_hash
from fsre_bench.errors import FsreError
from fsre_bench.methods.interface import Method, MethodConfig
from fsre_bench.methods.option_check import check_method_options
from fsre_bench.methods.registry import build_method
from fsre_bench.methods.resolved import ResolvedMethod
from fsre_bench.numerics import PORTABLE, apply_numerics
from fsre_bench.output_paths import DISK_ERRNOS, check_output_dir, output_error, writing
from fsre_bench.progress import console, progress_display, progress_task
from fsre_bench.results import ResultFile, method_block
from fsre_bench.runner.assemble import SeedRun, build_result, meta_dict
from fsre_bench.runner.config import RunConfig
from fsre_bench.runner.lock import holding_unit_locks
from fsre_bench.runner.plan import EpisodeSet, RunData, build_episode_sets, load_run_data, resolve_methods
from fsre_bench.runner.predictions_log import PredictionsLog
from fsre_bench.runner.provenance import harness_info, provenance_summary, seed_provenance
from fsre_bench.runner.request_failures import failure_share_error, failure_summary
from fsre_bench.runner.requirements import check_requirements
from fsre_bench.runner.seed_log import SeedLogSummary, read_complete_log
from fsre_bench.runner.seed_timing import SeedTimer, seed_timing
from fsre_bench.runner.training_data import fill_default_train
from fsre_bench.runner.work_estimate import check_work
from fsre_bench.types import NOTA, UNPARSED, EpisodePrediction

# Options that change how fast a method runs, never what it predicts: kept out of cache keys.
_NON_SEMANTIC_KEYS = frozenset({"concurrency", "timeout", "max_retries", "api_key_env", "progress"})


@dataclass
class UnitOutcome:
    """One method on one setting, all seeds: done (now or before), or failed with a one-line reason."""

    method: str
    setting: str
    status: str  # "computed" | "reused" | "skipped" | "failed"
    result_path: Path | None = None
    result: dict[str, Any] | None = None
    error: str | None = None
    # For "reused": what existed before this run (a finished result, or every seed's predictions) and when.
    reused_from: str | None = None


def run(config: RunConfig, command: Sequence[str], executor: str = "local",
        ray_address: str | None = None) -> list[UnitOutcome]:
    """``executor``: "local" runs units in this process; "ray" sends each (unit, seed) to a Ray task."""
    config = config.on_this_machine()  # the device probe: --device auto resolved, an absent device refused
    apply_numerics(config.numerics)  # before anything imports torch (fsre_bench/numerics.py)
    methods = resolve_methods(config)  # once per run: nothing below asks the registry about these methods again
    check_work(config)  # --episodes 10**12, --n-bootstrap 10**9: one line with the estimate, before any work
    # Refusals that need no output: before check_output_dir creates --output-dir.
    if executor == "ray":
        from fsre_bench.runner.ray_executor import check_ray_run

        check_ray_run(config.method_options)  # a missing extra fails here, before any data is loaded
    from fsre_bench.llm.vllm_server import check_vllm_requested

    check_vllm_requested(config.method_options)  # --llm vllm without a GPU: one line before any work
    for note in check_method_options([m.spec for m in methods], config.method_options):
        console.print(note)
    check_output_dir(config.output_dir, "--output-dir")
    if config.limit:
        console.print(f"[bold red]WARNING: --limit {config.limit} evaluates a prefix only. "
                      "These numbers are NOT valid for reporting; results are marked limited.[/]")
    default_train = fill_default_train(config, methods)
    if default_train:
        console.print(default_train, soft_wrap=True, highlight=False, markup=False)
    check_requirements(config, methods)  # every method's needs (training relations, an LLM), before the first unit
    data = load_run_data(config)
    episode_sets = build_episode_sets(config, data)
    outcomes: list[UnitOutcome] = []
    with progress_display():
        if executor == "ray":
            return _run_on_ray(methods, config, data, episode_sets, command, ray_address)
        for method in methods:
            outcomes.extend(_run_method(method, config, data, episode_sets, command))
    return outcomes


def _run_on_ray(methods: Sequence[ResolvedMethod], config: RunConfig, data: RunData, episode_sets: list[EpisodeSet],
                command: Sequence[str], address: str | None) -> list[UnitOutcome]:
    from fsre_bench.runner.ray_executor import run_units_on_ray

    # The driver holds every unit's lock while the workers write, as the local executor does per method.
    directories = [unit_directory(m.name, config, data, es.setting) for m in methods for es in episode_sets]
    with holding_unit_locks(directories):
        units = [u for m in methods for u in _units(m, config, data, episode_sets, method_config_hash(m, config, data))]
        run_units_on_ray(units, config, data, address, run_unit=run_one_unit)
        return [u.finish(config, data, command) for u in units]


def run_one_unit(config: RunConfig, data: RunData, unit: _Unit, episode_set: EpisodeSet) -> str | None:
    """One unit (method x setting x seed) exactly as the local executor runs it: None, or its one-line error.

    What a Ray worker calls (``ray_executor`` gets it from here, so it never imports the runner).
    """
    try:
        _run_seed(unit.resolved, episode_set.seed, config, data, [(unit, episode_set)])
    except Exception as exc:
        return _one_line(exc, unit.method, config)
    return None


def _run_method(method: ResolvedMethod, config: RunConfig, data: RunData, episode_sets: list[EpisodeSet],
                command: Sequence[str]) -> list[UnitOutcome]:
    """The method's units, each locked for this process: a second run on the same output waits, then reuses."""
    directories = [unit_directory(method.name, config, data, es.setting) for es in episode_sets]
    with holding_unit_locks(directories):
        return _run_locked_method(method, config, data, episode_sets, command)


def _run_locked_method(method: ResolvedMethod, config: RunConfig, data: RunData, episode_sets: list[EpisodeSet],
                       command: Sequence[str]) -> list[UnitOutcome]:
    key = method_config_hash(method, config, data)
    units = _units(method, config, data, episode_sets, key)
    pending = [u for u in units if u.status == "pending"]
    for seed in dict.fromkeys(es.seed for u in pending for es in u.sets):
        todo = [(u, es) for u in pending for es in u.sets if es.seed == seed and not u.seed_complete(es)]
        if not todo:
            continue
        try:
            _run_seed(method, seed, config, data, todo)
        except Exception as exc:  # one method failing must not lose the others' work
            if isinstance(exc, OSError) and exc.errno in DISK_ERRNOS:
                raise output_error(exc.filename or config.output_dir, exc) from None
            if getattr(exc, "stops_run", False):
                raise  # a dead LLM server, an output location refusing writes: every later unit would fail too
            _mark_failed(todo, _one_line(exc, method.name, config))
    return [u.finish(config, data, command) for u in units]


def _mark_failed(todo: list, message: str) -> None:
    for unit, _ in todo:
        unit.status, unit.error = "failed", message


def _run_seed(method: ResolvedMethod, seed: int, config: RunConfig, data: RunData, todo: list) -> None:
    """Fit once for the seed and predict every setting with it, or (``fit_per_setting``) fit per setting."""
    if not config.fit_per_setting:
        _fit_and_predict(method, seed, config, data, todo)
        return
    by_setting: dict[str, list] = {}
    for unit, episode_set in todo:
        by_setting.setdefault(unit.setting, []).append((unit, episode_set))
    for setting, group in by_setting.items():
        _fit_and_predict(method, training_seed(seed, setting), config, data, group)


def training_seed(seed: int, setting: str) -> int:
    """The fit seed of one (seed, setting) under ``fit_per_setting``: a fit cache key that includes the setting
    (methods key their fits on the seed), so each setting trains its own models; episodes keep ``seed``."""
    return int(content_hash("fit-per-setting", seed, setting, length=8), 16)


def _fit_and_predict(resolved: ResolvedMethod, seed: int, config: RunConfig, data: RunData, todo: list) -> None:
    method = build_method(resolved.spec, _method_config(config, seed))
    try:
        started = time.perf_counter()
        method.fit(data.train)
        fit_s = time.perf_counter() - started
        for unit, episode_set in todo:
            if unit.status == "failed":
                continue
            _predict_set(method, unit, episode_set, data, fit_s, config.device)
    finally:
        method.close()


def _predict_set(method: Method, unit: _Unit, episode_set: EpisodeSet, data: RunData, fit_s: float,
                 device: str) -> None:
    unit.computed_here = True
    log = unit.log(episode_set)
    done = log.completed(episode_set.episodes)
    remaining = episode_set.episodes[done:]
    usage_before = _llm_usage(method)
    if remaining:
        log.start_segment(done, harness_info())
    started = time.perf_counter()
    timer = SeedTimer(log.timing_path, fit_s, done)
    label = f"{unit.method} {unit.setting} seed {episode_set.seed}"
    with progress_task(label, total=len(episode_set.episodes), unit="ep") as task:
        task.advance(done)
        try:
            predictions = method.predict(remaining, data.episode_data) if remaining else iter(())
            for episode, prediction in zip(remaining, predictions, strict=True):
                _check_prediction(unit.method, episode, prediction)
                log.append(episode, prediction)
                timer.record(time.perf_counter() - started)
                task.advance(1)
        finally:
            log.close()
    timer.record(time.perf_counter() - started, final=True)
    timer.close()
    provenance = seed_provenance(method, _training_data_sha256(data, episode_set), device)
    meta = {"timing": seed_timing(log.timing_path), "llm": _usage_delta(usage_before, _llm_usage(method)),
            "method_meta": meta_dict(method.meta), "provenance": {**provenance, "segments": log.segments()}}
    atomic_write_json(unit.meta_path(episode_set), meta)


def _training_data_sha256(data: RunData, episode_set: EpisodeSet) -> str | None:
    """--train's file; for K-shot the split's supports, which the episode file holds."""
    if data.train is not None:
        return data.train.source_sha256
    return episode_set.sha256 if data.episode_data.protocol == "kshot" else None


def _check_prediction(method: str, episode: Any, prediction: EpisodePrediction) -> None:
    if prediction.episode_id != episode.id or len(prediction.labels) != len(episode.queries):
        raise FsreError(f"method {method!r} answered episode {prediction.episode_id} with {len(prediction.labels)} "
                        f"labels where episode {episode.id} has {len(episode.queries)} queries")
    allowed = {*episode.relations, NOTA, UNPARSED}
    bad = [label for label in prediction.labels if label not in allowed]
    if bad:
        raise FsreError(f"method {method!r} predicted {bad[0]!r} in episode {episode.id}, not one of its labels")


class _Unit:
    """One method x one setting over all seeds, and the files it owns."""

    def __init__(self, method: ResolvedMethod, setting: str, sets: list[EpisodeSet], directory: Path, key: str,
                 config: RunConfig):
        self.resolved, self.method = method, method.name
        self.setting, self.sets, self.directory, self.key = setting, sets, directory, key
        seeds = "-".join(str(s.seed) for s in sets)
        run_key = content_hash(key, [s.sha256 for s in sets], length=10)
        self.result_path = directory / f"n{len(sets[0].episodes)}_seeds{seeds}_{run_key}.json"
        self.status = "pending"
        self.error: str | None = None
        self.computed_here = False  # some seed predicted in this process (else everything was reused)
        if self.result_path.exists() and config.overwrite != "always":
            self.status = "reused"
            self._retry_failed_requests(config)
        elif config.overwrite == "never" and any(self.log_path(s).exists() for s in sets):
            self.status = "skipped"
        elif config.overwrite == "always":
            for s in sets:
                self.log(s)._reset()
                self.meta_path(s).unlink(missing_ok=True)
            self.result_path.unlink(missing_ok=True)

    def _retry_failed_requests(self, config: RunConfig) -> None:
        """A result holding failed LLM requests is redone from its first failed episode (see drop_failed)."""
        if config.overwrite == "never" or not ResultFile.load(self.result_path).failed_queries:
            return
        self.status = "pending"
        for es in self.sets:
            log = self.log(es)
            if log.path.exists() and log.drop_failed() < len(es.episodes):
                with writing(self.meta_path(es)):
                    self.meta_path(es).unlink(missing_ok=True)

    def log_path(self, es: EpisodeSet) -> Path:
        return self.directory / f"seed{es.seed}_{es.sha256[:10]}_{self.key[:8]}.predictions.jsonl"

    def meta_path(self, es: EpisodeSet) -> Path:
        return self.log_path(es).with_name(self.log_path(es).name.replace(".predictions.jsonl", ".meta.json"))

    def log(self, es: EpisodeSet) -> PredictionsLog:
        header = {"method": self.method, "method_config": self.key, "episode_file_sha256": es.sha256,
                  "seed": es.seed, "setting": self.setting}
        return PredictionsLog(self.log_path(es), header)

    def seed_complete(self, es: EpisodeSet) -> bool:
        return self.meta_path(es).exists() and self.log(es).completed(es.episodes) == len(es.episodes)

    def finish(self, config: RunConfig, data: RunData, command: Sequence[str]) -> UnitOutcome:
        if self.status in ("reused", "skipped"):
            result = ResultFile.load(self.result_path).result if self.status == "reused" else None
            when = f"result of {result['created_utc']}" if result else None
            return UnitOutcome(self.method, self.setting, self.status, self.result_path, result, reused_from=when)
        logs = [] if self.status == "failed" else [self._read_complete_log(es, data) for es in self.sets]
        if not logs or any(log is None for log in logs):
            return UnitOutcome(self.method, self.setting, "failed", None, None, self.error or "incomplete")
        runs, metas = [], []
        for es in self.sets:
            meta = json.loads(self.meta_path(es).read_text())
            runs.append(SeedRun(es, self.log_path(es), meta["timing"], meta["llm"], meta.get("provenance"),
                                meta["method_meta"].get("training_data")))
            metas.append(meta["method_meta"])
        try:
            provenance = provenance_summary([(run.episode_set.seed, run.provenance) for run in runs],
                                            allow_mixed=config.allow_mixed_provenance, source=str(self.result_path))
        except FsreError as exc:  # refused: the logs stay, a rerun at one commit (or the flag) completes it
            return UnitOutcome(self.method, self.setting, "failed", None, None, str(exc))
        # From the resolved entry at assembly, so results re-assembled from old logs carry it too.
        method_meta = {**metas[0], "side_information": self.resolved.side_information}
        result = build_result(config=config, data=data,
                              method=method_block(method_meta, self.resolved.options_read, self.resolved.family),
                              setting=self.setting, seed_runs=runs, logs=logs, result_path=self.result_path,
                              command=command, provenance=provenance, request_failures=failure_summary(logs))
        result.write()
        error = failure_share_error(result.request_failures, config.max_failure_share)
        if error:
            return UnitOutcome(self.method, self.setting, "failed", self.result_path, result.result, error)
        if self.computed_here:
            return UnitOutcome(self.method, self.setting, "computed", self.result_path, result.result)
        return UnitOutcome(self.method, self.setting, "reused", self.result_path, result.result,
                           reused_from=f"predictions of {_newest_mtime_utc(s.log_path for s in runs)}")

    def _read_complete_log(self, es: EpisodeSet, data: RunData) -> SeedLogSummary | None:
        """The seed's log, read once for its result; None unless the seed is complete (as ``seed_complete``)."""
        if not self.meta_path(es).exists():
            return None
        return read_complete_log(self.log(es), es.episodes, negative_label=data.evaluation.negative_label,
                                 per_query=data.episode_data.protocol == "kshot")


def _newest_mtime_utc(paths: Any) -> str:
    newest = max(Path(p).stat().st_mtime for p in paths)
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(newest))


def _units(method: ResolvedMethod, config: RunConfig, data: RunData, sets: list[EpisodeSet], key: str) -> list[_Unit]:
    by_setting: dict[str, list[EpisodeSet]] = {}
    for es in sets:
        by_setting.setdefault(es.setting, []).append(es)
    return [_Unit(method, setting, group, unit_directory(method.name, config, data, setting), key, config)
            for setting, group in by_setting.items()]


def unit_directory(name: str, config: RunConfig, data: RunData, setting: str) -> Path:
    """Where one method's results and logs for one setting live (``fsre-bench score`` files external ones there)."""
    return Path(config.output_dir) / "runs" / data.slug / config.protocol / setting.replace("=", "") / name


def method_config_hash(method: ResolvedMethod, config: RunConfig, data: RunData) -> str:
    """Everything that can change a method's predictions, hashed: name, encoder, its options, training data,
    and the method's recipe version where it has one (so a changed default behaviour is not served stale)."""
    train = data.train.source_sha256 if data.train else None
    options = _semantic(method.options_read)
    recipe = method.spec.recipe
    # Portable kernels compute other bytes than native ones; native keeps the key results had before the mode existed.
    numerics = {"numerics": PORTABLE} if config.numerics == PORTABLE else None
    return content_hash(method.name, config.encoder, config.device, config.batch_size, options, train,
                        *((recipe,) if recipe else ()), *((numerics,) if numerics else ()),
                        *(("fit-per-setting",) if config.fit_per_setting else ()))


def _semantic(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _semantic(v) for k, v in value.items() if k not in _NON_SEMANTIC_KEYS}
    return value


def _method_config(config: RunConfig, seed: int) -> MethodConfig:
    return MethodConfig(seed=seed, encoder=config.encoder, device=config.device, cache_dir=cache_root(),
                        batch_size=config.batch_size,
                        options={**config.method_options, "protocol": config.protocol, "train": config.train})


def _llm_usage(method: Method) -> dict[str, Any] | None:
    usage = getattr(method, "llm_usage", None)
    return usage() if callable(usage) else None


def _usage_delta(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, Any] | None:
    if after is None:
        return None
    before = before or {}
    return {k: (v - before.get(k, 0) if isinstance(v, int | float) and not isinstance(v, bool) and v is not None
                and isinstance(before.get(k, 0), int | float) else v) for k, v in after.items()}


def _one_line(exc: BaseException, method: str, config: RunConfig) -> str:
    if isinstance(exc, FsreError):
        return str(exc)
    path = Path(config.output_dir) / ".logs" / f"{time.strftime('%Y%m%d-%H%M%S')}-{method}.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
        saved = f"traceback in {path}"
    except OSError as write_error:  # the crash log must not become a second crash
        saved = f"no traceback saved: cannot write {path}: {write_error.strerror}"
    return f"method {method!r} crashed: {type(exc).__name__}: {exc} ({saved})"
