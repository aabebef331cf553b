"""FewRel 2.0 domain adaptation: val_pubmed / val_nyt by name, relation names as keys, fetch with checksums.

The official val_pubmed.json is not shipped here, so the fixture ``val_pubmed_sample.json`` (written
for these tests in the same format: relation names as keys, CUI-style entity ids, lower-cased
tokens) stands in for it. Fetching it under the real registry entry must fail the checksum; a
registry entry carrying the fixture's own checksum (computed here with hashlib) must pass it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from fsre_bench.cli.main import main
from fsre_bench.data import clear_cache, dataset_specs, expand_names, fetch_dataset, load_dataset
from tests.support.shared_data import SHARED_DATA as SHARED

FIXTURE = Path(__file__).parent / "fixtures" / "data" / "val_pubmed_sample.json"
OFFICIAL_PUBMED_SHA256 = "fc0f13b534f6664fe0d8aec231d7590313bc6510d00dbc1b6746147f6a2b46e6"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FSRE_BENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("FSRE_BENCH_DATA_DIR", str(tmp_path / "data"))
    clear_cache()


def _mirror(tmp_path: Path, flat: bool = False) -> Path:
    mirror = tmp_path / "mirror"
    target = mirror / ("val_pubmed.json" if flat else "fewrel/val_pubmed.json")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURE, target)
    return mirror


def _register_fixture_checksum(monkeypatch: pytest.MonkeyPatch) -> None:
    """The registry entry as it would read if the fixture were the official file."""
    content = FIXTURE.read_bytes()
    spec = dataclasses.replace(dataset_specs()["fewrel/val_pubmed"], sha256=hashlib.sha256(content).hexdigest(),
                               size=len(content))
    monkeypatch.setitem(dataset_specs(), "fewrel/val_pubmed", spec)


def test_registered_with_the_official_urls_and_checksums() -> None:
    pubmed, nyt = dataset_specs()["fewrel/val_pubmed"], dataset_specs()["fewrel/val_nyt"]
    assert pubmed.url == "https://raw.githubusercontent.com/thunlp/FewRel/master/data/val_pubmed.json"
    assert (pubmed.sha256, pubmed.size) == (OFFICIAL_PUBMED_SHA256, 432_600)
    assert nyt.url == "https://raw.githubusercontent.com/thunlp/FewRel/master/data/val_nyt.json"
    assert nyt.sha256 == "b519adc61a2bab0f05178e33a3cd8f284338b635629493e9e09616ba81bb428e"
    assert nyt.size == 1_032_006
    # pubmed is keyed by relation name and needs no pid2name; nyt uses Wikidata P-ids and does
    assert expand_names("fewrel/val_pubmed") == ["fewrel/val_pubmed"]
    assert expand_names("fewrel/val_nyt") == ["fewrel/pid2name", "fewrel/val_nyt"]


def test_pubmed_format_loads_with_readable_names(tmp_path: Path) -> None:
    ds = load_dataset(str(FIXTURE), pid2name=SHARED / "fewrel" / "pid2name.json")  # P-id table present, unused
    assert len(ds.relations) == 10 and len(ds) == 30
    rel = ds.relations["is_primary_anatomic_site_of_disease"]
    assert (rel.id, rel.name, rel.description) == (
        "is_primary_anatomic_site_of_disease", "is primary anatomic site of disease", "")
    assert all(r.name == r.id.replace("_", " ") for r in ds.relations.values())
    first = ds.instances["causative_agent_of"][0]
    assert first.head_text == "mycobacterium tuberculosis" and first.tail_text == "tuberculosis"
    assert all(tok == tok.lower() for inst in ds.all_instances() for tok in inst.tokens)
    raw = json.loads(FIXTURE.read_text())
    assert raw["causative_agent_of"][0]["h"][1].startswith("C")  # CUI-style entity ids, as in val_pubmed


def test_fetch_by_name_verifies_the_registered_checksum(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    data, mirror = tmp_path / "data", _mirror(tmp_path)
    # the real entry: the fixture is not the official file, so the fetch fails and writes nothing
    code = main(["data", "fetch", "fewrel/val_pubmed", "--mirror", str(mirror), "--data-dir", str(data)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert "checksum mismatch for fewrel/val_pubmed" in err and f"!= expected {432_600}" in err
    assert not (data / "fewrel" / "val_pubmed.json").exists()
    assert dataset_specs()["fewrel/val_pubmed"].sha256 == OFFICIAL_PUBMED_SHA256


def test_fetch_by_name_from_a_flat_mirror_with_the_fixture_registered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    _register_fixture_checksum(monkeypatch)
    data = tmp_path / "data"
    mirror = _mirror(tmp_path, flat=True)  # a folder holding just val_pubmed.json
    assert main(["data", "fetch", "fewrel/val_pubmed", "--mirror", str(mirror), "--data-dir", str(data)]) == 0
    assert (data / "fewrel" / "val_pubmed.json").read_bytes() == FIXTURE.read_bytes()
    # one byte changed: the same registered checksum now refuses it
    (mirror / "val_pubmed.json").write_bytes(FIXTURE.read_bytes().replace(b"liver", b"lives", 1))
    (data / "fewrel" / "val_pubmed.json").unlink()
    capsys.readouterr()
    assert main(["data", "fetch", "fewrel/val_pubmed", "--mirror", str(mirror), "--data-dir", str(data)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "checksum mismatch for fewrel/val_pubmed" in err and "sha256" in err
    assert not (data / "fewrel" / "val_pubmed.json").exists()


@pytest.mark.slow  # two NOTA calibrations on val_wiki with the real MiniLM: ~2 CPU-minutes
def test_domain_adaptation_run_trains_on_wiki_and_evaluates_on_pubmed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """The issue's acceptance command, on the fixture and with fewer episodes."""
    _register_fixture_checksum(monkeypatch)
    data, out = tmp_path / "data", tmp_path / "results"
    fetch_dataset("fewrel/val_wiki", data, mirror=str(SHARED))
    assert main(["data", "fetch", "fewrel/val_pubmed", "--mirror", str(_mirror(tmp_path)), "--data-dir", str(data)]) == 0
    args = ["run", "--methods", "proto,proto-desc", "--dataset", "fewrel/val_pubmed", "--train", "fewrel/val_wiki",
            "--settings", "5-1", "--na-rate", "0.15", "--episodes", "20", "--seeds", "0", "--data-dir", str(data),
            "--output-dir", str(out)]
    assert main(args) == 0, capsys.readouterr().err
    results = sorted(out.glob("runs/fewrel_val_pubmed/episodic/5-1-na0.15/*/n20_*.json"))
    assert [p.parent.name for p in results] == ["proto", "proto-desc"]
    for path in results:
        result = json.loads(path.read_text())
        assert result["dataset"]["train"]["name"] == "fewrel"
        assert result["dataset"]["train"]["relations"][0].startswith("P")  # Wikipedia relations
        assert result["setting"]["na_rate"] == 0.15 and result["episodes"]["effective"] == 20
        assert 0.0 <= result["metrics"]["accuracy"]["mean"] <= 1.0
        log = path.parent / result["per_seed"][0]["predictions"]
        records = [json.loads(line) for line in log.read_text().splitlines()[1:]]
        gold = [g for r in records for g in r["gold"]]
        nota = sum(g == "__nota__" for g in gold)
        assert nota == int(20 * 5 * 0.15 / 0.85)  # the stream's NOTA share is 15%, to one query
