"""TACRED-family K-shot (protocol B) and FS-TACRED episodes on a TACRED-format fixture.

The fixture lists ``no_relation`` last, so an index-0 notion of the negative label would exclude
``per:title`` from F1 instead; the F1 here is recomputed from the predictions logs by name.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from fsre_bench.cli.main import main
from fsre_bench.data import clear_cache, load_dataset
from fsre_bench.episodes import sample_kshot_split
from fsre_bench.types import NOTA


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FSRE_BENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("FSRE_BENCH_DATA_DIR", str(tmp_path / "data"))
    clear_cache()



def _f1_excluding(records: list[dict], negative: set[str]) -> float:
    pairs = [(p, g) for r in records for p, g in zip(r["pred"], r["gold"], strict=True)]
    tp = sum(p == g and g not in negative for p, g in pairs)
    predicted = sum(p not in negative for p, _ in pairs)
    gold = sum(g not in negative for _, g in pairs)
    return 2 * tp / (predicted + gold) if predicted + gold else 0.0


def _records(result_path: Path, result: dict) -> list[dict]:
    log = result_path.parent / result["per_seed"][0]["predictions"]
    return [json.loads(line) for line in log.read_text().splitlines()[1:]]


def test_kshot_split_counts_no_relation_as_a_label_wherever_it_sits(tacred_data: Path) -> None:
    train, test = load_dataset("tacred/train", data_dir=tacred_data), load_dataset("tacred/test", data_dir=tacred_data)
    assert list(train.relations)[-1] == "no_relation" and train.negative_label == "no_relation"
    split = sample_kshot_split(train, test, k=8, seed=13)
    assert split.relations[-1] == "no_relation" and len(split.relations) == 7
    assert [len(s) for s in split.support] == [5, 5, 5, 5, 5, 5, 6]  # 10 (12) per label: train half, dev half
    assert len(split.queries) == len(test)  # the full test set


def test_kshot_f1_ignores_no_relation_by_name(tacred_data: Path, capsys: pytest.CaptureFixture) -> None:
    out = tacred_data.parent / "results"
    code = main(["run", "--protocol", "kshot", "--dataset", "tacred", "--k", "8", "--seeds", "13,21",
                 "--methods", "proto,random", "--data-dir", str(tacred_data), "--output-dir", str(out)])
    assert code == 0, capsys.readouterr().err
    for method in ("proto", "random"):
        (path,) = out.glob(f"runs/tacred_test/kshot/K8/{method}/n*_seeds*.json")
        result = json.loads(path.read_text())
        assert result["metrics"]["primary"] == "micro_f1"
        assert result["dataset"]["negative_label"] == "no_relation"
        assert result["seeds"] == [13, 21]
        log = _records(path, result)
        assert log[0]["gold"].count("no_relation") == 60
        expected = _f1_excluding(log, {"no_relation"})
        assert result["per_seed"][0]["metrics"]["micro_f1"] == pytest.approx(expected)
        if method == "random":  # the index-0 mistake would give another number
            assert _f1_excluding(log, {"per:title"}) != pytest.approx(expected)


@pytest.mark.parametrize("dataset", ["tacred/test"])
def test_fs_tacred_episodes_on_the_same_data(tacred_data: Path, dataset: str, capsys: pytest.CaptureFixture) -> None:
    out = tacred_data.parent / "results"
    code = main(["run", "--protocol", "natural-nota", "--dataset", dataset, "--settings", "5-1,5-5",
                 "--episodes", "40", "--seeds", "160290", "--methods", "random,proto", "--nota-threshold", "0.5",
                 "--data-dir", str(tacred_data), "--output-dir", str(out)])
    assert code == 0, capsys.readouterr().err
    paths = sorted(out.glob("runs/tacred_test/natural-nota/*/*/n*_seeds*.json"))
    assert sorted(f"{p.parent.parent.name}/{p.parent.name}" for p in paths) == [
        "5-1/proto", "5-1/random", "5-5/proto", "5-5/random"]
    for path in paths:
        result = json.loads(path.read_text())
        assert result["metrics"]["primary"] == "micro_f1"
        log = _records(path, result)
        assert all(len(r["gold"]) == 3 for r in log)  # 3 queries per episode, as Sabo et al.
        golds = [g for r in log for g in r["gold"]]
        assert golds.count(NOTA) > len(golds) / 2  # the natural distribution: most queries are NOTA
        assert "no_relation" not in golds  # a no_relation query is NOTA in every episode
        expected = _f1_excluding(log, {NOTA, "no_relation"})
        assert result["per_seed"][0]["metrics"]["micro_f1"] == pytest.approx(expected)
    assert os.environ["FSRE_BENCH_CACHE"].startswith(str(tacred_data.parent))
