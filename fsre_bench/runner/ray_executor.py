"""``--executor ray``: every unit (method x setting x seed) one Ray task; the driver assembles results.

Workers run exactly the local executor's code for one unit (the runner's ``run_one_unit``: build, fit, predict,
append to the predictions log, write the meta file) into the shared ``--output-dir``, so a
predictions file is byte-for-byte what a local run writes and resume works the same: the driver
submits only the units whose log or meta is incomplete, and a partial log resumes where it ended.
Ray is imported only here, only when asked for.
"""

from __future__ import annotations

import copy
import logging
import os
from collections.abc import Callable, Sequence
from typing import Any

from fsre_bench.errors import ConfigError
from fsre_bench.methods.resolved import ResolvedMethod
from fsre_bench.progress import console, progress_task
from fsre_bench.runner.config import RunConfig
from fsre_bench.runner.plan import EpisodeSet, RunData

INSTALL_HINT = "install it with: pip install -e '.[ray]'"
# (config, data, unit, episode set) -> None or the unit's one-line error: the runner's run_one_unit
RunUnit = Callable[[RunConfig, RunData, Any, EpisodeSet], "str | None"]
# Settings workers need to see as the driver does; forwarded only when the user set them, so a
# cluster node otherwise keeps its own defaults (its own ~/.cache/fsre_bench on its local disk).
FORWARDED_ENV_PREFIXES = ("FSRE_BENCH_", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HOME")


def import_ray() -> Any:
    """The ``ray`` module, or one line saying how to install it."""
    try:
        import ray
    except ModuleNotFoundError:
        raise ConfigError(f"--executor ray needs the ray package, which is not installed; {INSTALL_HINT}") from None
    return ray


def check_ray_run(method_options: dict[str, Any]) -> None:
    """Before any work: ray is installed, and the run does not ask every task to start its own vLLM."""
    from fsre_bench.llm.config import llm_config_from_options

    import_ray()
    if "llm" in method_options and llm_config_from_options(method_options["llm"]).mode == "vllm":
        raise ConfigError("--executor ray with --llm vllm would start one vLLM per task: start one `vllm serve` "
                          "and pass --llm remote --llm-base-url http://HOST:8000/v1 --llm-model NAME")


def connect(ray: Any, address: str | None) -> None:
    """Join the cluster at ``address`` (``auto``: the one ``ray start`` runs here), else start a local one.

    A Ray already initialised in this process (a test, a notebook) is used as it is.
    """
    if ray.is_initialized():
        return
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no usage report leaves the machine
    options: dict[str, Any] = {"include_dashboard": False, "logging_level": logging.WARNING,
                               "log_to_driver": True, "runtime_env": {"env_vars": worker_numerics_env()}}
    try:
        if address:
            ray.init(address=address, **options)
        else:  # a private single-machine cluster on loopback, gone when the run ends
            ray.init(_node_ip_address="127.0.0.1", **options)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"--ray-address {address or '(local)'}: cannot connect to Ray ({first})") from None


def task_resources(method: ResolvedMethod) -> dict[str, float]:
    """What one unit's task asks Ray for: a GPU for methods that train weights on ``--device cuda``."""
    return {"num_cpus": 1, "num_gpus": 1} if method.needs_gpu else {"num_cpus": 1}


def run_units_on_ray(units: Sequence[Any], config: RunConfig, data: RunData, address: str | None,
                     run_unit: RunUnit) -> None:
    """Run every incomplete (unit, seed) as a Ray task calling ``run_unit``; mark units whose task failed.

    ``units`` are the runner's units (one method x setting, all seeds); finishing them (assembling
    result files) stays with the caller, on the driver.
    """
    ray = import_ray()
    work = [(unit, es) for unit in units if unit.status == "pending" for es in unit.sets if not unit.seed_complete(es)]
    complete = sum(len(u.sets) for u in units) - len(work)
    console.print(f"ray: {len(work)} unit(s) to run, {complete} already complete or reused")
    if not work:
        return
    connect(ray, address)
    remote = ray.remote(max_retries=0)(run_unit_task)  # a failed unit is reported, not silently rerun
    config_ref, data_ref, env = ray.put(config), ray.put(data), forwarded_env()
    submitted = {
        remote.options(**task_resources(unit.resolved)).remote(run_unit, config_ref, data_ref,
                                                                _one_seed(unit, es), es, env):
            (unit, es)
        for unit, es in work
    }
    _collect(ray, submitted)


def _one_seed(unit: Any, episode_set: EpisodeSet) -> Any:
    """The unit with only this seed's episodes, so a task does not carry every seed's."""
    single = copy.copy(unit)
    single.sets = [episode_set]
    return single


def _collect(ray: Any, submitted: dict[Any, tuple[Any, EpisodeSet]]) -> None:
    pending = list(submitted)
    with progress_task("ray units", total=len(pending), unit="unit") as task:
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            for ref in ready:
                unit, es = submitted[ref]
                error = _task_error(ray, ref)
                unit.computed_here = True
                if error is not None:
                    unit.status = "failed"
                    unit.error = f"seed {es.seed}: {error}" if unit.error is None else f"{unit.error}; seed {es.seed}: {error}"
                    console.print(f"[red]ray: {unit.method} {unit.setting} seed {es.seed} failed: {error}[/]")
                task.advance(1)


def _task_error(ray: Any, ref: Any) -> str | None:
    """None when the task finished its unit; else one line (the worker's own, or how the task died)."""
    try:
        return ray.get(ref)
    except ray.exceptions.RayError as exc:  # the worker died, was killed, or the task raised past our catch
        cause = getattr(exc, "cause", None) or exc
        lines = [line for line in str(cause).splitlines() if line.strip()]
        return f"Ray task failed: {type(cause).__name__}: {lines[-1] if lines else ''}".rstrip(": ")


def worker_numerics_env() -> dict[str, str]:
    """The numerics variables a worker process must have when it starts: torch reads them at import, and a
    worker imports torch for its first unit, before ``run_unit_task`` could set them (fsre_bench/numerics.py)."""
    from fsre_bench.numerics import MODE_ENV, PORTABLE, portable_env

    return portable_env() if os.environ.get(MODE_ENV) == PORTABLE else {MODE_ENV: os.environ.get(MODE_ENV, "native")}


def forwarded_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith(FORWARDED_ENV_PREFIXES)}


def run_unit_task(run_unit: RunUnit, config: RunConfig, data: RunData, unit: Any, episode_set: EpisodeSet,
                  env: dict[str, str]) -> str | None:
    """On a worker: ``run_unit`` (the runner's own unit code) with the driver's settings. None or the one-line error."""
    from fsre_bench.llm.managed_server import stop_managed_servers

    os.environ.update(env)
    try:
        return run_unit(config, data, unit, episode_set)
    finally:
        stop_managed_servers()  # a worker outlives its task: no LLM server may outlive the unit
