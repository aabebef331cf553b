"""``episodes export``: the episode files a run uses, a text file per file to hand out, the gold kept apart.

The episodes come from the runner's own planning (``build_episode_sets``), so an exported file is
byte-identical to the one ``fsre-bench run`` with the same flags evaluates on (same sha256).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fsre_bench.atomic import atomic_write_json, atomic_write_text
from fsre_bench.cache import canonical_json
from fsre_bench.data.registry import licensed_catalogue
from fsre_bench.errors import ConfigError, DataError
from fsre_bench.external.text import episode_text_record, gold_header, gold_record, text_header
from fsre_bench.runner.config import RunConfig
from fsre_bench.runner.plan import EpisodeSet, RunData, build_episode_sets, load_run_data

MANIFEST_FORMAT = "fsre-bench.export/1"
EXPORT_METHOD = "(export)"  # RunConfig wants a method; exporting runs none


@dataclass
class ExportedSet:
    setting: str
    seed: int
    episodes: Path
    sha256: str
    text: Path | None
    gold: Path | None


def export_episodes(config: RunConfig, out: Path, *, with_text: bool, licensed_copy: Path | None) -> list[ExportedSet]:
    """Write every (setting, seed) episode file under ``out`` (+ text and gold files) and a manifest."""
    if licensed_copy is not None:  # the data dir of the user's copy, or the dataset file itself
        if licensed_copy.is_file():
            config.dataset = str(licensed_copy)
        else:
            config.data_dir = str(licensed_copy)
    data = load_run_data(config)
    licence = _licence(data)
    if with_text and licence and licensed_copy is None:
        raise ConfigError(
            f"{data.evaluation.name}/{data.evaluation.split} is licensed data ({licence}): its text is exported only "
            "from your own copy; pass --licensed-copy PATH (your copy's data directory or file) and do not "
            "redistribute the text file"
        )
    sets = build_episode_sets(config, data)
    try:
        out.mkdir(parents=True, exist_ok=True)
        exported = [_export_set(es, data, out, with_text) for es in sets]
        atomic_write_json(out / "manifest.json", _manifest(config, data, exported, licence))
    except OSError as exc:
        raise DataError(f"cannot write the export to {out}: {exc.strerror}") from None
    return exported


def _licence(data: RunData) -> str | None:
    for dataset in (data.evaluation, data.support_pool):
        if dataset is not None and (licence := licensed_catalogue(dataset.name, dataset.split)):
            return licence
    return None


def _export_set(es: EpisodeSet, data: RunData, out: Path, with_text: bool) -> ExportedSet:
    stem = f"{data.slug}-{es.header['protocol']}-{es.setting.replace('=', '')}-s{es.seed}"
    episodes_path = out / f"{stem}.episodes.jsonl"
    shutil.copyfile(es.path, episodes_path)
    text_path = gold_path = None
    if with_text:
        text_path, gold_path = out / f"{stem}.text.jsonl", out / f"{stem}.gold.jsonl"
        header = text_header(es.header, es.sha256, data.episode_data.has_nota)
        lines = [header, *(episode_text_record(episode, data.episode_data) for episode in es.episodes)]
        _write_jsonl(text_path, lines)
        _write_jsonl(gold_path, [gold_header(es.sha256), *(gold_record(episode) for episode in es.episodes)])
    return ExportedSet(es.setting, es.seed, episodes_path, es.sha256, text_path, gold_path)


def _write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    atomic_write_text(path, "".join(canonical_json(record) + "\n" for record in records))


def _manifest(config: RunConfig, data: RunData, exported: list[ExportedSet], licence: str | None) -> dict[str, Any]:
    """Which file is which: hand out the text files; the episode and gold files hold the answers."""
    def name(path: Path | None) -> str | None:
        return path.name if path else None

    return {
        "format": MANIFEST_FORMAT,
        "dataset": f"{data.evaluation.name}/{data.evaluation.split}",
        "dataset_sha256": data.evaluation.source_sha256,
        "protocol": config.protocol,
        "licence": licence,
        "files": [{"setting": e.setting, "seed": e.seed, "episodes": name(e.episodes), "episodes_sha256": e.sha256,
                   "text": name(e.text), "gold": name(e.gold)} for e in exported],
        "hand_out": [name(e.text) for e in exported if e.text],
        "keep_private": [n for e in exported for n in (name(e.episodes), name(e.gold)) if n],
        "score_with": "fsre-bench score --episodes-file <episodes file> --predictions <your JSONL> --method-name NAME",
    }
