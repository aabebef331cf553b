"""From a RunConfig to loaded data and episode sets (one per setting and seed), before any method runs.

Everything that can fail on bad input (unknown dataset, K+Q too large, a mismatched episode file)
fails here, before a model is loaded or an LLM is called.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fsre_bench.cache import cache_dir, content_hash
from fsre_bench.episodes.setting import kshot_setting_name, parse_n_k
from fsre_bench.errors import ConfigError
from fsre_bench.methods.resolved import ResolvedMethod, resolve_method
from fsre_bench.runner.config import RunConfig
from fsre_bench.types import Dataset, Episode, EpisodeData


@dataclass
class EpisodeSet:
    """The episodes of one (setting, seed), written to an episode file whose sha256 goes into results."""

    setting: str
    seed: int
    episodes: Sequence[Episode]  # episodic runs: an EpisodeFileView over ``path`` (memory flat in --episodes)
    requested: int
    path: Path
    sha256: str
    header: dict[str, Any]
    limited: bool = False


@dataclass
class RunData:
    evaluation: Dataset  # the split queries come from
    support_pool: Dataset | None  # K-shot: the train split supports come from
    train: Dataset | None  # --train: training relations for methods that fit
    episode_data: EpisodeData
    leakage: dict[str, Any] | None = None  # training_data.check_leakage's record of --train vs the evaluation

    @property
    def slug(self) -> str:
        return dataset_slug(self.evaluation)


def dataset_slug(dataset: Dataset) -> str:
    """``fewrel_val_wiki`` for registered datasets; files loaded by path also get a sha prefix."""
    from fsre_bench.data import dataset_specs

    base = f"{dataset.name}_{dataset.split}".replace("/", "_").replace(".", "_")
    return base if f"{dataset.name}/{dataset.split}" in dataset_specs() else f"{base}-{dataset.source_sha256[:8]}"


def resolve_methods(config: RunConfig) -> tuple[ResolvedMethod, ...]:
    """Every chosen method resolved once, in the run's order: the one place a run reads the registry for them.

    An unknown name fails here with a did-you-mean, before any other check or work.
    """
    from fsre_bench.methods.registry import method_spec

    specs = [method_spec(name) for name in config.methods]
    recorded = config.to_dict()["method_options"]
    return tuple(resolve_method(spec, method_options=config.method_options, recorded_options=recorded,
                                protocol=config.protocol, has_nota=has_nota(config), device=config.device)
                 for spec in specs)


def has_nota(config: RunConfig) -> bool:
    """Some queries are none of the episode's relations (a natural-NOTA protocol, or FewRel 2.0's --na-rate)."""
    return config.protocol == "natural-nota" or config.na_rate > 0


def load_run_data(config: RunConfig) -> RunData:
    from fsre_bench.data import load_dataset, resolve_data_dir

    data_dir = resolve_data_dir(config.data_dir)
    support_pool = None
    if config.protocol == "kshot":
        from fsre_bench.episodes import kshot_dataset_names

        train_name, test_name = kshot_dataset_names(config.dataset)
        support_pool, evaluation = load_dataset(train_name, data_dir), load_dataset(test_name, data_dir)
    else:
        evaluation = load_dataset(config.dataset, data_dir)
    train = load_dataset(config.train, data_dir) if config.train else None
    _report_patches(evaluation, support_pool, train)
    leakage = None
    if train is not None and config.protocol != "kshot":
        from fsre_bench.runner.training_data import check_leakage

        train, leakage = check_leakage(train, evaluation, config.train_leakage)
    instances = dict(evaluation.by_id)
    if support_pool is not None:
        instances.update(support_pool.by_id)
    relations = dict(evaluation.relations)
    if support_pool is not None:
        relations = {**support_pool.relations, **relations}
    episode_data = EpisodeData(
        instances=instances,
        relations=relations,
        protocol=config.protocol,
        has_nota=has_nota(config),
        negative_label=evaluation.negative_label,
        entity_types=evaluation.entity_types,
        dataset_name=evaluation.name,
    )
    return RunData(evaluation, support_pool, train, episode_data, leakage)


def _report_patches(*datasets: Dataset | None) -> None:
    """One line per patched TACRED split (TACREV, Re-TACRED) and per built dataset: what it changed."""
    from fsre_bench.data.tacred import patch_summary
    from fsre_bench.progress import console

    for dataset in datasets:
        if dataset is not None and dataset.patch_report is not None:
            line = patch_summary(f"{dataset.name}/{dataset.split}", dataset.patch_report)
            console.print(line, soft_wrap=True, highlight=False, markup=False)
        if dataset is not None and dataset.build_report is not None:
            console.print(dataset.build_report["line"], soft_wrap=True, highlight=False, markup=False)


def build_episode_sets(config: RunConfig, data: RunData) -> list[EpisodeSet]:
    if config.episodes_file:
        return [_from_episode_file(config, data)]
    return [_build_set(config, data, setting, seed) for setting in config.setting_names for seed in config.effective_seeds]


def _build_set(config: RunConfig, data: RunData, setting: str, seed: int) -> EpisodeSet:
    from fsre_bench.episodes import EpisodeSetting, build_episodes, setting_label, write_episode_file

    if config.protocol == "kshot":
        stream, header = build_episodes(data.evaluation, protocol="kshot", seed=seed, support_pool=data.support_pool,
                                        k=int(setting.split("=")[1]), query_limit=config.limit)
        episodes = list(stream)
        requested, limited = 1, len(episodes[0].queries) < len(data.evaluation)
    else:
        n_way, k_shot = parse_n_k(setting)
        episode_setting = EpisodeSetting(n_way=n_way, k_shot=k_shot, n_query=config.n_query, na_rate=config.na_rate)
        setting = setting_label(n_way, k_shot, config.na_rate)  # a NOTA run is never shown as plain 5-1
        requested = config.episodes
        count = min(requested, config.limit) if config.limit else requested
        limited = count < requested
        from fsre_bench.runner.episode_stream import stream_episodes

        view, sha, header, path = stream_episodes(data.evaluation, data.slug, config, setting, episode_setting, seed, count)
        return EpisodeSet(setting, seed, view, requested, path, sha, header, limited)
    name = f"{data.slug}-{config.protocol}-{setting.replace('=', '')}-s{seed}-{content_hash(header, length=12)}.jsonl"
    path = cache_dir("episodes") / name
    sha = write_episode_file(path, header, episodes)
    return EpisodeSet(setting, seed, episodes, requested, path, sha, header, limited)


def _from_episode_file(config: RunConfig, data: RunData) -> EpisodeSet:
    from fsre_bench.episodes import episode_file_sha256, read_episode_file, setting_label

    path = Path(config.episodes_file)
    header, episodes = read_episode_file(path, expected_dataset=data.evaluation, expected_sha256=config.episodes_sha256,
                                         expected_train_dataset=data.support_pool)
    if header.get("protocol", "episodic") != config.protocol:
        raise ConfigError(f"{path}: episode file is for protocol {header.get('protocol')!r}, the run asks for {config.protocol!r}")
    setting = (kshot_setting_name(header["k_shot"]) if config.protocol == "kshot"
               else setting_label(header["n_way"], header["k_shot"], header.get("na_rate", 0.0)))
    requested = len(episodes)
    if config.limit:
        episodes = episodes[: config.limit]
    return EpisodeSet(setting, int(header["seed"]), episodes, requested, path, episode_file_sha256(path), header,
                      limited=len(episodes) < requested)
