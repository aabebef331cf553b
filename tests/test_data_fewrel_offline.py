"""FewRel's own training relations (fewrel/train_offline), the default --train on FewRel splits, leakage checks.

The offline set's relations and dropped sentences are recomputed here from the shared files with plain
``json``, not through the loader, so a loader bug cannot agree with itself.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from fsre_bench.cli.main import main
from fsre_bench.data import clear_cache, dataset_specs, fetch_dataset, load_dataset
from fsre_bench.errors import ConfigError
from fsre_bench.runner.training_data import check_leakage
from tests.support.cli_helpers import fails_with_one_line
from tests.support.shared_data import SHARED_DATA as SHARED
from tests.test_tkre_method import TINY_FLAGS

WIKI80_FILES = ("wiki80/dev.txt", "wiki80/train_0.1.txt")


def _independent_recount() -> tuple[set[str], int, int]:
    """(the 64 training P-ids, sentences read, sentences that are verbatim val_wiki sentences), from the files."""
    pid2name = json.loads((SHARED / "fewrel/pid2name.json").read_text())
    pid_of = {name: pid for pid, (name, _) in pid2name.items()}
    val_wiki = json.loads((SHARED / "fewrel/val_wiki.json").read_text())
    val_text = {" ".join(record["tokens"]) for records in val_wiki.values() for record in records}
    pids, read, leaked = set(), 0, 0
    for name in WIKI80_FILES:
        for line in (SHARED / name).read_text().splitlines():
            record = json.loads(line)
            pid = pid_of[record["relation"]]
            if pid in val_wiki:
                continue
            pids.add(pid)
            read += 1
            leaked += " ".join(record["token"]) in val_text
    return pids, read, leaked


def test_the_offline_training_set_holds_fewrels_64_training_relations_and_no_val_wiki_sentence() -> None:
    clear_cache()
    train = load_dataset("fewrel/train_offline", SHARED)
    val_wiki = json.loads((SHARED / "fewrel/val_wiki.json").read_text())
    pids, read, leaked = _independent_recount()
    assert len(pids) == 64 and not pids & set(val_wiki)
    assert set(train.relations) == pids
    val_text = {" ".join(record["tokens"]) for records in val_wiki.values() for record in records}
    assert not any(" ".join(instance.tokens) in val_text for instance in train.all_instances())
    assert (read, leaked) == (7616, 58)  # the shared README's figures
    assert len(train) == read - leaked == train.build_report["kept"]
    assert train.build_report["dropped_as_evaluation_sentences"] == leaked
    assert "58 sentences dropped as verbatim fewrel/val_wiki sentences, 7558 kept" in train.build_report["line"]
    pid2name = json.loads((SHARED / "fewrel/pid2name.json").read_text())
    assert all([r.name, r.description] == pid2name[pid] for pid, r in train.relations.items())
    assert all(i.label in pids and i.id.startswith("fewrel/train_offline#") for i in train.all_instances())
    assert load_dataset("fewrel/train_offline", SHARED) is train  # built once per process


def test_the_training_files_for_users_with_a_network_are_registered_with_their_checksums() -> None:
    full, opennre = dataset_specs()["fewrel/train_wiki"], dataset_specs()["fewrel/train_opennre"]
    assert full.url == "https://raw.githubusercontent.com/thunlp/FewRel/master/data/train_wiki.json"
    assert full.md5 == "5e663e9c3f1bfbdb2de72696e9504fd7"
    assert opennre.sha256 == "6ed0a06e6892bb09334ce783d43c2d29c2fa61d799547f4b4a2bb0d7b7d81ea9"
    assert opennre.size == 16_759_417 and opennre.requires == ("fewrel/opennre_rel2id",)


def test_fetch_from_a_mirror_gets_every_part_and_the_set_builds_there(tmp_path: Path) -> None:
    mirror, data = tmp_path / "mirror", tmp_path / "data"
    for name in (*WIKI80_FILES, "wiki80/rel2id.json", "fewrel/val_wiki.json", "fewrel/pid2name.json"):
        (mirror / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SHARED / name, mirror / name)
    fetch_dataset("fewrel/train_offline", data, mirror=str(mirror))  # each part checksum-verified
    assert sorted(p.relative_to(data).as_posix() for p in data.rglob("*") if p.is_file()) == sorted(
        ["fewrel/pid2name.json", "fewrel/val_wiki.json", "wiki80/rel2id.json", *WIKI80_FILES])
    clear_cache()
    assert len(load_dataset("fewrel/train_offline", data).relations) == 64


def test_ls_datasets_shows_the_training_sets(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ls", "datasets", "--data-dir", str(SHARED)]) == 0
    out = capsys.readouterr().out
    assert "fewrel/train_offline" in out and "fewrel/train_opennre" in out and "wiki80/dev" in out


def _leaky_training_file(tmp_path: Path) -> Path:
    """Two relations outside val_wiki; one sentence is a val_wiki sentence with another entity pair."""
    val_wiki = json.loads((SHARED / "fewrel/val_wiki.json").read_text())
    borrowed = dict(next(iter(val_wiki.values()))[0])
    borrowed["h"], borrowed["t"] = ["x", "Q1", [[0]]], ["y", "Q2", [[1]]]
    own = {"tokens": ["a", "b", "c", "d"], "h": ["a", "Q3", [[0]]], "t": ["d", "Q4", [[3]]]}
    path = tmp_path / "leaky.json"
    path.write_text(json.dumps({"P99990": [borrowed, own, own], "P99991": [own, own, own]}))
    return path


def test_a_training_file_sharing_a_sentence_with_the_evaluation_is_refused_before_any_work(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    line = fails_with_one_line(capsys, ["run", "--methods", "proto-ft", "--dataset", "fewrel/val_wiki",
                                        "--train", str(_leaky_training_file(tmp_path)), "--episodes", "2",
                                        "--output-dir", str(out)], "shares 1 sentence(s) with fewrel/val_wiki",
                               "--train-leakage drop")
    assert "(first: fewrel/leaky#0)" in line
    assert not (out / "runs").exists()  # no unit started


def test_dropping_or_allowing_leaked_sentences_is_recorded(tmp_path: Path) -> None:
    clear_cache()
    train = load_dataset(str(_leaky_training_file(tmp_path)), SHARED)
    evaluation = load_dataset("fewrel/val_wiki", SHARED)
    with pytest.raises(ConfigError, match="shares 1 sentence"):
        check_leakage(train, evaluation, "refuse")
    dropped, record = check_leakage(train, evaluation, "drop")
    assert len(dropped) == len(train) - 1 and dropped.source_sha256 != train.source_sha256
    assert (record["shared_sentences"], record["dropped_sentences"], record["train_instances"]) == (1, 1, 5)
    kept, record = check_leakage(train, evaluation, "allow")
    assert kept is train and (record["policy"], record["shared_sentences"], record["dropped_sentences"]) == ("allow", 1, 0)
    # the entity pairs of val_wiki's first relation, lower-cased, are shared by none of the fixture's
    assert record["shared_entity_pairs"] == 0


def _one_result(out: Path, method: str) -> dict:
    paths = [p for p in (out / "runs").rglob(f"{method}/*.json") if not p.name.endswith(".meta.json")]
    assert len(paths) == 1, paths
    return json.loads(paths[0].read_text())


@pytest.mark.slow
def test_domain_adaptation_on_val_pubmed_trains_on_fewrels_relations_by_default(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """FewRel 2.0 DA: PubMed evaluation by name through the data dir, 15% NOTA, calibrated on FewRel's relations."""
    code = main(["run", "--methods", "proto", "--dataset", "fewrel/val_pubmed", "--settings", "5-1",
                 "--na-rate", "0.15", "--n-query", "2", "--episodes", "10", "--data-dir", str(SHARED),
                 "--output-dir", str(tmp_path)])
    captured = capsys.readouterr()
    out = captured.out + captured.err  # progress lines go to stderr, the table to stdout
    assert code == 0
    assert "training relations: fewrel/train_offline (FewRel's own, the default for fewrel/val_pubmed)" in out
    result = _one_result(tmp_path, "proto")
    train = result["dataset"]["train"]
    assert (result["dataset"]["name"], result["dataset"]["split"]) == ("fewrel", "val_pubmed")
    assert (train["split"], train["n_instances"], train["leakage"]["shared_sentences"]) == ("train_offline", 7558, 0)
    assert result["config"]["train"] == "fewrel/train_offline"
    log = next(tmp_path.rglob("*.predictions.jsonl"))
    gold = [g for line in log.read_text().splitlines()[1:] for g in json.loads(line)["gold"]]
    # 5 relations x 2 queries per episode, plus NOTA queries from relations outside the five
    assert sum(g != "__nota__" for g in gold) == 10 * 5 * 2 and "__nota__" in gold


@pytest.mark.slow
def test_in_domain_proto_ft_and_tkre_train_on_fewrels_relations_when_no_train_is_given(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The mission's command on a tiny budget: no --train, so both train on the 64 FewRel relations."""
    code = main(["run", "--methods", "proto-ft,tkre,proto", "--dataset", "fewrel/val_wiki", "--settings", "5-1",
                 "--episodes", "4", "--seeds", "0", "--knowledge", "schema", "--data-dir", str(SHARED),
                 "--output-dir", str(tmp_path), *TINY_FLAGS])
    captured = capsys.readouterr()
    out = captured.out + captured.err  # progress lines go to stderr, the table to stdout
    assert code == 0
    assert "training relations: fewrel/train_offline" in out and "for proto-ft, tkre;" in out
    pids, _, _ = _independent_recount()
    for method in ("proto-ft", "tkre"):
        meta = _one_result(tmp_path, method)["method"]
        assert meta["training_data"] == "fewrel/train_offline"
        assert set(meta["training_relations"]) <= pids
    # proto fits nothing: it ran in the same run, on the same episodes, and says it saw no training relations
    assert _one_result(tmp_path, "proto")["method"]["training_relations"] == []


def test_every_method_missing_training_relations_is_named_before_the_first_unit(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """proto needs nothing and comes first, yet no unit runs: the requirement is checked for all methods at once."""
    out = tmp_path / "out"
    fails_with_one_line(capsys, ["run", "--methods", "proto,tkre,proto-ft", "--dataset", "fewrel/val_semeval",
                                 "--episodes", "2", "--output-dir", str(out)],
                        "tkre, proto-ft need training relations and fewrel/val_semeval has no default")
    assert not (out / "runs").exists()
    # NOTA calibration is a need too, unless a fixed threshold is given
    fails_with_one_line(capsys, ["run", "--methods", "random,proto", "--dataset", "fewrel/val_semeval", "--na-rate",
                                 "0.5", "--episodes", "2", "--output-dir", str(out)], "proto needs training relations")
