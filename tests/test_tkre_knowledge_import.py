"""`--knowledge import:DIR`: the reference release's formats, validated record by record, hashed, reused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fsre_bench.cli.main import main
from fsre_bench.data import load_dataset
from fsre_bench.errors import ConfigError
from tkre.knowledge.imported import import_directory, import_knowledge

pytestmark = pytest.mark.usefixtures("shared_data_env")

CAUSE = "Cause-Effect(e1,e2)"
MEMBER = "Member-Collection(e2,e1)"
TRAINING = [CAUSE, MEMBER]

EXPLANATIONS = [
    {"relation": CAUSE, "subject": "smoke", "object": "alarm",
     "generated_text": "Sure! The smoke causes the alarm because the alarm goes off when smoke is present.",
     "context": "The smoke set off the alarm ."},
    # by readable name instead of id, and folded case
    {"relation": "MEMBER-COLLECTION:  E2 IS A MEMBER OF E1", "subject": "herd", "object": "cows",
     "generated_text": "The herd is a collection whose members are the cows."},
    {"relation": "Entity-Origin(e1,e2)", "subject": "a", "object": "b", "generated_text": "not a training relation"},
    {"relation": CAUSE, "subject": "x", "object": "y"},  # no generated_text
    {"relation": CAUSE, "subject": "x", "object": "y", "generated_text": "   "},  # empty after cleaning
    "just a string",
]


def _synthetic_line(text: str, subj: str, obj: str, relation: str = CAUSE, shift: int = 0, **extra: object) -> str:
    s, o = text.index(subj) + shift, text.index(obj) + shift
    record = {"text": text, "subj": subj, "subj_start": s, "subj_end": s + len(subj), "obj": obj, "obj_start": o,
              "obj_end": o + len(obj), "subj_type": "event", "obj_type": "physical object", "relation": relation}
    return json.dumps({**record, **extra})


GOOD = "Heavy rain caused the flooding of the old town ."
SYNTHETIC = [
    _synthetic_line(GOOD, "Heavy rain", "flooding"),
    _synthetic_line("The fire produced thick smoke in the hall .", "fire", "smoke", shift=-1),  # the reference's bug
    _synthetic_line("The party made a lot of noise .", "art", "noise"),  # "art" inside "party"
    "{not json",
    _synthetic_line(GOOD, "Heavy rain", "flooding"),  # duplicate context
    _synthetic_line("The flock of geese flew south .", "flock", "geese", relation="Nope(e1,e2)"),
    json.dumps({"text": "A b .", "subj": "A", "subj_start": "0", "subj_end": 1, "obj": "b", "obj_start": 2,
                "obj_end": 3, "relation": CAUSE}),  # offset as a string
    _synthetic_line("The storm caused damage .", "storm", "storm"),  # subject and object overlap
]


def _write(directory: Path, explanations: list | None = EXPLANATIONS, synthetic: list | None = SYNTHETIC) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    if explanations is not None:
        (directory / "explanations.json").write_text(json.dumps(explanations))
    if synthetic is not None:
        (directory / "synthetic.jsonl").write_text("\n".join(synthetic) + "\n")
    return directory


def _import(directory: Path):
    relations = load_dataset("semeval2010/train").relations
    return import_knowledge(directory, relations, TRAINING, dataset="semeval2010/train",
                            explanations_per_relation=6, synthetic_per_relation=8)


def test_valid_records_kept_bad_ones_dropped_and_counted_by_reason(tmp_path: Path) -> None:
    imported = _import(_write(tmp_path / "k"))
    explained, synthetic = imported.explanations, imported.synthetic
    assert [e.relation for e in explained.examples] == [CAUSE, MEMBER]
    assert explained.stats["records"] == 6 and explained.stats["kept"] == 2
    assert explained.stats["dropped"] == {
        "empty explanation": 1, "missing or non-string field 'generated_text'": 1, "not a JSON object": 1,
        "relation is not a training relation": 1}
    first = explained.examples[0]
    assert first.tokens[:3] == ("The", "smoke", "causes")  # the chat preamble is gone
    assert first.tokens[slice(*first.head_span)] == ("smoke",) and first.tokens[slice(*first.tail_span)] == ("alarm",)

    assert synthetic.stats["records"] == 8 and synthetic.stats["kept"] == 1
    assert synthetic.stats["dropped"] == {
        "duplicate context": 1, "missing or mistyped field 'subj_start'": 1,
        "relation is not a training relation": 1, "subj offsets are not on token boundaries": 1,
        "subj offsets do not select the subj string": 1, "subject and object overlap": 1, "not JSON": 1}
    [instance] = synthetic.instances
    # Character offsets -> token spans: "Heavy rain" is tokens 0-1, "flooding" token 4 (not shifted left).
    assert instance.tokens[slice(instance.head[0][0], instance.head[0][-1] + 1)] == ("Heavy", "rain")
    assert [instance.tokens[i] for i in instance.tail[0]] == ["flooding"]
    assert (instance.head_type, instance.tail_type, instance.label) == ("EVENT", "PHYSICAL_OBJECT", CAUSE)


def test_source_names_the_files_hash_and_artifacts_are_reused(tmp_path: Path) -> None:
    first = _import(_write(tmp_path / "a"))
    again = _import(_write(tmp_path / "b"))  # same bytes elsewhere: same source, same artifact files
    assert first.source.startswith("import:") and len(first.source) == len("import:") + 12
    assert (again.source, again.synthetic.path) == (first.source, first.synthetic.path)
    changed = _import(_write(tmp_path / "c", synthetic=[*SYNTHETIC, _synthetic_line(
        "Stress caused the headache .", "Stress", "headache")]))
    assert changed.source != first.source and changed.synthetic.stats["kept"] == 2
    only_explanations = _import(_write(tmp_path / "d", synthetic=None))
    assert only_explanations.synthetic is None and only_explanations.source != first.source


def test_unusable_directories_get_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is not a directory"):
        import_directory(f"import:{tmp_path / 'missing'}")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match=r"holds no knowledge file \(explanations: explanations\.json / "
                                          r"llm_corpus_context\.json / llm_corpus\.json; synthetic: synthetic\.jsonl"):
        import_directory(f"import:{tmp_path / 'empty'}")


@pytest.mark.slow
def test_cli_run_records_the_import_source_and_refuses_a_missing_part(tmp_path: Path, capsys) -> None:
    tiny = ["--tkre-max-relations", "2", "--tkre-stage1-epochs", "1", "--tkre-stage2-epochs", "1",
            "--tkre-pretrain-max-steps", "2", "--tkre-finetune-epochs", "1", "--tkre-mlm-head-corpus", "none"]
    # K-shot on SemEval at K=2: the first two K-shot train relations get knowledge; import for all SemEval labels.
    explanations = [{"relation": label, "subject": "a", "object": "b", "generated_text": f"a has {label} with b ."}
                    for label in load_dataset("semeval2010/train").positive_relations]
    directory = _write(tmp_path / "k", explanations=explanations, synthetic=None)
    base = ["run", "--methods", "tkre-no-synth", "--protocol", "kshot", "--dataset", "semeval2010", "--k", "2",
            "--seeds", "13", "--limit", "20", "--knowledge", f"import:{directory}", "--output-dir",
            str(tmp_path / "out"), *tiny]
    assert main(base) == 0
    result = json.loads(next(p for p in (tmp_path / "out").rglob("n1_*.json")).read_text())
    assert result["method"]["knowledge_source"].startswith("import:")
    assert result["method"]["extra"]["knowledge"]["explanations"]["kept"] == 2

    # Full TKRE needs synthetic data too: one line naming what is missing, exit 2.
    code = main([*base[:2], "tkre", *base[3:]])
    assert code == 2
    assert "needs synthetic" in capsys.readouterr().err


def test_the_import_subcommand_validates_ahead_and_the_run_reuses_its_artifacts(tmp_path: Path, capsys) -> None:
    directory = _write(tmp_path / "released")
    assert main(["tkre", "knowledge", "--import", str(directory), "--dataset", "semeval2010/train"]) == 0
    out = capsys.readouterr().out
    # every SemEval training relation counts here (Entity-Origin(e1,e2) too): 3 explanations kept, 1 sample
    assert "explanations.json: read as explanations: 6 records, 3 kept, 3 dropped (" in out
    assert "synthetic.jsonl: read as synthetic: 8 records, 1 kept, 7 dropped (" in out
    assert "1 relation is not a training relation" in out and "1 subj offsets do not select the subj string" in out
    source = next(line.split()[2] for line in out.splitlines() if line.startswith("knowledge source import:"))
    assert len(source) == len("import:") + 12
    # the same conversion as a run's --knowledge import:DIR on that training split: reused, not rebuilt
    again = main(["tkre", "knowledge", "--import", str(directory), "--dataset", "semeval2010/train"])
    assert again == 0 and capsys.readouterr().out.count("reused") == 2


def test_the_import_subcommand_needs_a_dataset_and_a_usable_directory(tmp_path: Path, capsys) -> None:
    assert main(["tkre", "knowledge", "--import", str(_write(tmp_path / "k"))]) == 2
    assert "--import needs --dataset" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["tkre", "knowledge", "--import", str(tmp_path / "empty"), "--dataset", "semeval2010/train"]) == 2
    assert "holds no knowledge file" in capsys.readouterr().err


def _write_release(directory: Path, explanations: list, synthetic: list[str], ks: tuple[int, ...] = (8,),
                   with_context: bool = True) -> Path:
    """A directory laid out as the TKRE release ships it (UESTC-GQJ/TKRE datasets/synthetic_data/)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "llm_corpus.json").write_text(json.dumps([{k: v for k, v in e.items() if k != "context"}
                                                           for e in explanations if isinstance(e, dict)]))
    if with_context:
        (directory / "llm_corpus_context.json").write_text(json.dumps(explanations))
    for k in ks:  # JSON Lines despite the suffix, as released
        (directory / f"llm_da_{k}.json").write_text("\n".join(synthetic[:k]) + "\n")
    return directory


def test_the_release_file_names_are_read_and_each_file_is_reported(tmp_path: Path, capsys) -> None:
    directory = _write_release(tmp_path / "release", EXPLANATIONS, SYNTHETIC)
    assert main(["tkre", "knowledge", "--import", str(directory), "--dataset", "semeval2010/train"]) == 0
    out = capsys.readouterr().out
    # the context file is preferred (it has every record, and the source sentences); the other is named, unread
    assert "llm_corpus_context.json: read as explanations: 6 records, 3 kept, 3 dropped (" in out
    assert "llm_corpus.json: not read (llm_corpus_context.json was read as the explanations)" in out
    assert "llm_da_8.json: read as synthetic: 8 records, 1 kept, 7 dropped (1 duplicate context, " in out
    imported = _import(directory)
    assert imported.files == {"explanations": "llm_corpus_context.json", "synthetic": "llm_da_8.json"}
    assert imported.explanations.examples[0].tokens[:3] == ("The", "smoke", "causes")
    # the same records under our names convert to the same examples (only the source hash, of the names, differs)
    ours = _import(_write(tmp_path / "ours"))
    assert [e.tokens for e in ours.explanations.examples] == [e.tokens for e in imported.explanations.examples]
    assert [i.tokens for i in ours.synthetic.instances] == [i.tokens for i in imported.synthetic.instances]
    without_context = _import(_write_release(tmp_path / "plain", EXPLANATIONS, SYNTHETIC, with_context=False))
    assert without_context.files["explanations"] == "llm_corpus.json"
    assert without_context.explanations.stats["records"] == 5  # the release's file has no non-object record


def test_several_llm_da_files_take_the_one_of_the_runs_k(tmp_path: Path) -> None:
    directory = _write_release(tmp_path / "release", EXPLANATIONS, SYNTHETIC, ks=(2, 8))
    relations = load_dataset("semeval2010/train").relations

    def imported(dataset: str):
        return import_knowledge(directory, relations, TRAINING, dataset=dataset, explanations_per_relation=6,
                                synthetic_per_relation=8)

    chosen = imported("kshot:kshot-k8-s13")
    assert chosen.files["synthetic"] == "llm_da_8.json" and chosen.synthetic.stats["records"] == 8
    assert ("llm_da_2.json", "llm_da_8.json matches kshot:kshot-k8-s13") in chosen.unread
    assert imported("kshot:kshot-k2-s21").synthetic.stats["records"] == 2
    with pytest.raises(ConfigError, match=r"holds llm_da_2\.json, llm_da_8\.json and semeval2010/train is not a "
                                          r"K-shot split of one of those K"):
        imported("semeval2010/train")
