"""TACREV and Re-TACRED as named datasets: the user's TACRED (a fixture here) plus registered patches.

The real TACREV patch files from ../shared are used as shipped: against a fixture almost none of
their ids exist, and that must be a one-line refusal. Relabel and drop counts are pinned with
small patches written here in the two official formats.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from fsre_bench.cli.main import main
from fsre_bench.data import (
    clear_cache,
    dataset_specs,
    fetch_dataset,
    file_digests,
    load_dataset,
    verify_datasets,
)
from fsre_bench.errors import DataError
from tests.support.shared_data import SHARED_DATA as SHARED
from tests.support.tacred_fixtures import REAL_TEST_IDS, fill_record, tacred_records, write_tacred


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FSRE_BENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("FSRE_BENCH_DATA_DIR", str(tmp_path / "data"))
    clear_cache()



def _write(path: Path, content: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content), encoding="utf-8")


def test_patches_are_registered_with_official_checksums() -> None:
    for split, sha in (("dev", "99002976e733e459d6d11ad45464be4e8cc5cbfe4233bca716a2fad66ee421a4"),
                       ("test", "f8816ca47c363f29e37ff5c78186a5a737704e4a14d0dd897023a6e7ab02933f")):
        spec = dataset_specs()[f"tacrev/{split}_patch"]
        assert spec.sha256 == sha and spec.url.endswith(f"DFKI-NLP/tacrev/master/patch/{split}_patch.json")
        assert file_digests(SHARED / spec.relpath)["sha256"] == sha  # the shipped files are the official ones
    retacred = dataset_specs()["retacred/train_patch"]
    assert retacred.url.endswith("gstoica27/Re-TACRED/master/Re-TACRED/train_id2label.json")
    assert (retacred.sha256, retacred.size) == (
        "958d5643abccb70642c40d7b421d950a43ba6ed9cd7868944bcb3e3f1851e3cb", 2_362_716)
    assert dataset_specs()["tacrev/test"].base == "tacred/test" and dataset_specs()["tacrev/train"].patch is None
    assert dataset_specs()["retacred/dev"].patch_unlisted == "drop"


def test_fetch_tacrev_by_name_takes_the_patch_from_a_mirror_and_needs_your_tacred(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with pytest.raises(DataError) as info:  # the patch comes over; TACRED itself cannot
        fetch_dataset("tacrev/test", data, mirror=str(SHARED))
    message = str(info.value)
    assert "\n" not in message and "LDC" in message and str(data / "tacred" / "test.json") in message
    assert file_digests(data / "tacrev" / "test_patch.json")["sha256"] == dataset_specs()["tacrev/test_patch"].sha256
    write_tacred(data, ("test",))
    assert fetch_dataset("tacrev/test", data, mirror=str(SHARED)) == data / "tacred" / "test.json"
    rows = {row.name: row for row in verify_datasets(data)}
    assert rows["tacrev/test_patch"].status == "ok" and rows["tacrev/test"].status == "derived"
    assert rows["retacred/test"].status == "missing" and "retacred/test_patch" in rows["retacred/test"].detail


def test_data_fetch_tacrev_group_gets_every_patch_then_says_where_tacred_goes(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    data = tmp_path / "data"
    assert main(["data", "fetch", "tacrev", "--mirror", str(SHARED), "--data-dir", str(data)]) == 2
    captured = capsys.readouterr()
    assert "ok tacrev/dev_patch" in captured.out and "ok tacrev/test_patch" in captured.out
    assert sorted(p.name for p in (data / "tacrev").iterdir()) == ["dev_patch.json", "test_patch.json"]
    err = captured.err.strip()
    assert len(err.splitlines()) == 1 and f"put its JSON train split (train.json) at {data / 'tacred' / 'train.json'}" in err


def test_real_tacrev_patch_refuses_a_tacred_it_was_not_made_for(tacred_data: Path, capsys: pytest.CaptureFixture) -> None:
    fetch_dataset("tacrev/test_patch", tacred_data, mirror=str(SHARED))
    with pytest.raises(DataError) as info:
        load_dataset("tacrev/test", data_dir=tacred_data)
    message = str(info.value)
    assert "\n" not in message
    assert f"934 of 936 patched ids are not in {tacred_data / 'tacred' / 'test.json'}" in message
    assert "not the TACRED split the patch was made for" in message
    # the same through the CLI: K-shot on TACREV stops with that one line, exit 2, before any model loads
    code = main(["run", "--protocol", "kshot", "--dataset", "tacrev/test", "--k", "8", "--methods", "random",
                 "--data-dir", str(tacred_data), "--output-dir", str(tacred_data.parent / "results")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "934 of 936 patched ids" in err
    assert not (tacred_data.parent / "results").exists()


def test_real_tacrev_patch_on_a_tacred_holding_all_its_ids(tmp_path: Path) -> None:
    """Every id of the real test patch present (as no_relation records made here): the patch applies in full."""
    patch = json.loads((SHARED / "tacrev" / "test_patch.json").read_text())
    records = [{**fill_record("no_relation", index, "test"), "id": entry["id"]} for index, entry in enumerate(patch)]
    records.append(fill_record("per:title", 0, "test"))  # one record the patch does not list
    data = tmp_path / "data"
    _write(data / "tacred" / "test.json", records)
    fetch_dataset("tacrev/test_patch", data, mirror=str(SHARED))
    ds = load_dataset("tacrev/test", data_dir=data)
    negatives = sum(entry["relation"] == "no_relation" for entry in patch)
    assert ds.patch_report == {"records": 937, "listed": 936, "relabelled": 936 - negatives, "unchanged": negatives,
                               "dropped": 0, "kept": 1, "patch": "tacrev/test_patch", "official": True,
                               "checksum_problem": None, "patch_sha256": dataset_specs()["tacrev/test_patch"].sha256}
    assert [inst.label for inst in ds.all_instances() if inst.id == "tacrev/test#1"] == [patch[1]["relation"]]


def test_tacrev_format_patch_relabels_and_reports(tacred_data: Path) -> None:
    test = tacred_records("test")
    patch = [{"id": test[0]["id"], "relation": "per:employee_of"},  # was per:title: relabelled
             {"id": test[1]["id"], "relation": "per:title"},  # already per:title: unchanged
             {"id": test[-1]["id"], "relation": "per:title"}]  # was no_relation: relabelled
    _write(tacred_data / "tacrev" / "test_patch.json", patch)
    ds = load_dataset("tacrev/test", data_dir=tacred_data)
    assert (ds.name, ds.split, len(ds)) == ("tacrev", "test", len(test))
    report = dict(ds.patch_report)
    assert report.pop("checksum_problem").startswith("size ")  # our patch is not the official file, and says so
    assert report.pop("patch_sha256") == file_digests(tacred_data / "tacrev" / "test_patch.json")["sha256"]
    assert report == {"records": 96, "listed": 3, "relabelled": 2, "unchanged": 1, "dropped": 0, "kept": 93,
                      "patch": "tacrev/test_patch", "official": False}
    assert ds.by_id["tacrev/test#0"].label == "per:employee_of"
    assert ds.by_id[f"tacrev/test#{len(test) - 1}"].label == "per:title"
    plain = load_dataset("tacred/test", data_dir=tacred_data)
    assert plain.by_id["tacred/test#0"].label == "per:title" and plain.patch_report is None
    assert ds.source_sha256 != plain.source_sha256
    train = load_dataset("tacrev/train", data_dir=tacred_data)  # TACREV train is TACRED train, unpatched
    assert train.name == "tacrev" and train.source_sha256 == load_dataset("tacred/train", data_dir=tacred_data).source_sha256


def test_retacred_format_map_drops_unlisted_and_reports(tacred_data: Path) -> None:
    dev = tacred_records("dev")
    mapping = {record["id"]: record["relation"] for record in dev[2:]}  # the first two are left out
    mapping[dev[5]["id"]] = "org:top_members/employees"
    _write(tacred_data / "retacred" / "dev_id2label.json", mapping)
    ds = load_dataset("retacred/dev", data_dir=tacred_data)
    assert len(ds) == len(dev) - 2 and "retacred/dev#0" not in ds.by_id and "retacred/dev#1" not in ds.by_id
    assert ds.patch_report["dropped"] == 2 and ds.patch_report["relabelled"] == 1
    assert ds.by_id["retacred/dev#5"].label == "org:top_members/employees"
    # no patch file for another split yet: one line naming the fetch command
    with pytest.raises(DataError, match=r"needs the patch retacred/test_patch .*fsre-bench data fetch retacred/test"):
        load_dataset("retacred/test", data_dir=tacred_data)


def test_kshot_on_tacrev_runs_and_reports_relabelled_counts(tacred_data: Path, capsys: pytest.CaptureFixture) -> None:
    test = tacred_records("test")
    _write(tacred_data / "tacrev" / "test_patch.json", [{"id": test[0]["id"], "relation": "per:employee_of"}])
    out = tacred_data.parent / "results"
    code = main(["run", "--protocol", "kshot", "--dataset", "tacrev", "--k", "8", "--seeds", "13", "--methods",
                 "random", "--data-dir", str(tacred_data), "--output-dir", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "tacrev/test: 1 patch ids over 96 TACRED records, 1 relabelled, 0 unchanged, 0 dropped" in captured.err
    assert "WARNING: tacrev/test_patch is not the official file (size" in captured.err
    (path,) = out.glob("runs/tacrev_test/kshot/K8/random/n*_seeds*.json")
    result = json.loads(path.read_text())
    assert result["dataset"]["patch_report"]["relabelled"] == 1
    assert result["dataset"]["patch_report"]["official"] is False
    assert result["dataset"]["support_pool"]["name"] == "tacrev"
    assert result["dataset"]["negative_label"] == "no_relation"


def test_fixture_keeps_real_ids_where_it_says() -> None:
    patch_ids = {entry["id"] for entry in json.loads((SHARED / "tacrev" / "test_patch.json").read_text())}
    assert set(REAL_TEST_IDS) <= patch_ids
    assert not {r["id"] for r in tacred_records("test")[len(REAL_TEST_IDS):]} & patch_ids


def test_a_folder_of_official_files_is_a_mirror(tmp_path: Path) -> None:
    flat = tmp_path / "downloads"
    flat.mkdir()
    shutil.copy(SHARED / "tacrev" / "dev_patch.json", flat / "dev_patch.json")
    path = fetch_dataset("tacrev/dev_patch", tmp_path / "data", mirror=str(flat))
    assert path == tmp_path / "data" / "tacrev" / "dev_patch.json" and path.is_file()
