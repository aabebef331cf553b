"""Systems outside the harness: export episodes with text, answer them in another process, score the answers.

The answers come from real separate processes (tests/support/external_answerers.py) that read only the exported
text file; the proto run is a real harness run (MiniLM), and scoring its copied predictions must give
exactly the numbers the harness computed for them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fsre_bench.cli.main import main
from fsre_bench.results import ResultFile
from tests.support.report_fixtures import result_file, table_section

ANSWERERS = Path(__file__).parent / "support" / "external_answerers.py"
TASK = ["--dataset", "fewrel/val_wiki", "--settings", "5-1", "--episodes", "6", "--seeds", "0,1", "--n-query", "2"]
STEM = "fewrel_val_wiki-episodic-5-1-s{seed}"


def _answer(*args: str | Path) -> None:
    done = subprocess.run([sys.executable, str(ANSWERERS), *map(str, args)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def _score(out: Path, name: str, pairs: list[tuple[Path, Path]], *extra: str) -> int:
    argv = ["score", "--method-name", name, "--output-dir", str(out), *extra]
    for episodes, predictions in pairs:
        argv += ["--episodes-file", str(episodes), "--predictions", str(predictions)]
    return main(argv)


@pytest.fixture(scope="module")
def harness_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """proto run by the harness, and the same task exported with text."""
    root = tmp_path_factory.mktemp("external")
    assert main(["run", "--methods", "proto", *TASK, "--output-dir", str(root / "results")]) == 0
    assert main(["episodes", "export", *TASK, "--out", str(root / "export"), "--with-text"]) == 0
    proto = result_file(root / "results" / "runs" / "fewrel_val_wiki" / "episodic" / "5-1" / "proto")
    return {"root": root, "export": root / "export", "results": root / "results", "proto": ResultFile.load(proto)}


def _files(export: Path, seed: int) -> dict[str, Path]:
    stem = STEM.format(seed=seed)
    return {kind: export / f"{stem}.{kind}.jsonl" for kind in ("episodes", "text", "gold")}


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_export_writes_the_runs_own_episode_files_and_text_without_gold(harness_run):
    from fsre_bench.cache import file_sha256

    run_files = dict(harness_run["proto"].episode_files)
    for seed in (0, 1):
        files = _files(harness_run["export"], seed)
        assert file_sha256(files["episodes"]) == run_files[seed]  # byte-identical to what the run evaluated
        episodes = _jsonl(files["episodes"])[1:]
        header, *texts = _jsonl(files["text"])
        assert header["episode_file_sha256"] == run_files[seed] and header["nota_possible"] is False
        raw = files["text"].read_text(encoding="utf-8")
        assert "fewrel/val_wiki#" not in raw and '"labels"' not in raw  # no instance id, no gold
        gold = {line["episode_id"]: line["labels"] for line in _jsonl(files["gold"])[1:]}
        for episode, text in zip(episodes, texts, strict=True):
            assert [c["label"] for c in text["candidates"]] == episode["relations"]
            assert all(len(c["supports"]) == 1 for c in text["candidates"])
            assert len(text["queries"]) == len(episode["queries"]) == 10
            assert gold[episode["id"]] == episode["labels"]
            for sentence in [q for q in text["queries"]] + [s for c in text["candidates"] for s in c["supports"]]:
                for entity in (sentence["head"], sentence["tail"]):
                    start, end = entity["char_span"]
                    assert sentence["text"][start:end] == entity["text"]
                    assert " ".join(sentence["tokens"][slice(*entity["token_span"])]) == entity["text"]
    manifest = json.loads((harness_run["export"] / "manifest.json").read_text())
    assert manifest["hand_out"] == [f"{STEM.format(seed=s)}.text.jsonl" for s in (0, 1)]
    assert not set(manifest["hand_out"]) & set(manifest["keep_private"])


def test_copied_proto_predictions_score_exactly_as_the_harness_scored_them(harness_run, tmp_path):
    proto = harness_run["proto"]
    pairs = []
    for seed, row in zip((0, 1), proto.result["per_seed"], strict=True):
        files = _files(harness_run["export"], seed)
        answers = tmp_path / f"copy-s{seed}.jsonl"
        _answer("copy", files["text"], proto.path.parent / row["predictions"], answers)
        pairs.append((files["episodes"], answers))
    out = tmp_path / "results"
    assert _score(out, "copycat", pairs, "--method-type", "metric", "--backbone", "all-MiniLM-L6-v2") == 0
    scored = ResultFile.load(result_file(out / "runs" / "fewrel_val_wiki" / "episodic" / "5-1" / "copycat"))
    assert scored.result["metrics"] == proto.result["metrics"]  # means, CIs and per-seed scores, exactly
    assert [r["metrics"] for r in scored.result["per_seed"]] == [r["metrics"] for r in proto.result["per_seed"]]
    assert scored.result["seeds"] == [0, 1] and scored.episode_files == proto.episode_files
    assert scored.provenance == "external" and proto.provenance == "harness"
    assert scored.method_label == "copycat (external)" and scored.result["method"]["type"] == "metric"
    from fsre_bench.cache import file_sha256

    assert [p["sha256"] for p in scored.result["origin"]["predictions"]] == [file_sha256(p) for _, p in pairs]
    assert set(scored.declared) == {"name", "type", "backbone"}


def test_first_candidate_answers_per_query_score_their_true_accuracy_with_nota(tmp_path):
    task = ["--dataset", "fewrel/val_wiki", "--settings", "5-1", "--episodes", "8", "--seeds", "3", "--na-rate", "0.5"]
    assert main(["episodes", "export", *task, "--out", str(tmp_path / "export"), "--with-text"]) == 0
    files = {kind: tmp_path / "export" / f"fewrel_val_wiki-episodic-5-1-na0.5-s3.{kind}.jsonl" for kind in ("episodes", "text", "gold")}
    _answer("first", files["text"], tmp_path / "first.jsonl", "--per-query")
    assert _score(tmp_path / "results", "first", [(files["episodes"], tmp_path / "first.jsonl")],
                  "--method-type", "floor") == 0
    episodes = _jsonl(files["episodes"])[1:]
    per_episode = [sum(g == e["relations"][0] for g in e["labels"]) / len(e["labels"]) for e in episodes]
    assert any(label == "__nota__" for e in episodes for label in e["labels"])
    scored = ResultFile.load(result_file(tmp_path / "results" / "runs" / "fewrel_val_wiki" / "episodic" / "5-1-na0.5"
                                         / "first"))
    assert scored.summary("accuracy")["mean"] == pytest.approx(sum(per_episode) / len(per_episode), abs=1e-12)
    assert _jsonl(files["text"])[0]["nota_possible"] is True


def test_external_rows_appear_in_the_regenerated_leaderboard_marked_declared(harness_run, tmp_path):
    results = harness_run["results"]
    seed0 = _files(harness_run["export"], 0)
    answers = tmp_path / "first.jsonl"
    _answer("first", seed0["text"], answers)
    assert _score(results, "my-llm", [(seed0["episodes"], answers)], "--method-type", "icl", "--backbone", "gpt-x") == 0
    out = tmp_path / "LEADERBOARD.md"
    assert main(["leaderboard", "--results", str(results), "--out", str(out), "--no-literature"]) == 0
    table = table_section(out.read_text(encoding="utf-8"), "### fewrel/val_wiki · episodic")
    rows = {line.split(" | ")[0].lstrip("| "): line for line in table.splitlines() if line.startswith("| ")}
    assert "| ICL † | gpt-x † |" in rows["my-llm (external)"]
    assert "†" not in rows["proto"]
    assert "declared by the submitter, not verified" in out.read_text(encoding="utf-8")
    assert main(["plot", "accuracy-vs-k", "--results", str(results), "--out-dir", str(tmp_path / "plots")]) == 0
    from fsre_bench import load_results

    frame = load_results(results)
    external = frame[frame["provenance"] == "external"]
    assert list(external["label"]) == ["my-llm (external)"] and external["declared"].iloc[0] == "name, type, backbone"
    assert set(frame[frame["label"] == "proto"]["provenance"]) == {"harness"}
    assert list((tmp_path / "plots").glob("*.png"))
    for path in results.rglob("my-llm/*"):  # leave the module's results as the other tests expect them
        path.unlink()


def test_report_ablation_pairs_an_external_result_with_the_run_it_copies(harness_run, tmp_path, capsys):
    proto = harness_run["proto"]
    results = tmp_path / "results"
    pairs = []
    for seed, row in zip((0, 1), proto.result["per_seed"], strict=True):
        files = _files(harness_run["export"], seed)
        _answer("copy", files["text"], proto.path.parent / row["predictions"], tmp_path / f"c{seed}.jsonl")
        pairs.append((files["episodes"], tmp_path / f"c{seed}.jsonl"))
    assert _score(results, "copycat", pairs, "--method-type", "metric") == 0
    import shutil

    shutil.copytree(proto.path.parent, results / "runs" / "fewrel_val_wiki" / "episodic" / "5-1" / "proto")
    from fsre_bench.report.ablation import build_ablation_table
    from fsre_bench.report.collect import collect_rows

    paths = [row.path for row in collect_rows(results)]
    table = build_ablation_table(paths, reference="proto", metric=None, n_bootstrap=200, seed=0)
    copy = next(row for row in table.rows if row.variant == "copycat (external)")
    assert copy.difference is not None and copy.difference.mean_difference == 0.0


def _good_lines(harness_run) -> tuple[Path, list[dict]]:
    files = _files(harness_run["export"], 0)
    header, *episodes = _jsonl(files["text"])
    lines = [{"episode_file_sha256": header["episode_file_sha256"]}]
    lines += [{"episode_id": e["episode_id"], "predictions": [e["candidates"][0]["label"]] * len(e["queries"])}
              for e in episodes]
    return files["episodes"], lines


def _broken(lines: list[dict], case: str, other_sha: str) -> list[dict]:
    lines = [dict(line) for line in lines]
    if case == "wrong-id":
        lines[3]["episode_id"] = "0-09999"
    elif case == "missing":
        del lines[4]
    elif case == "duplicate":
        lines.insert(3, lines[2])
    elif case == "foreign-label":
        lines[2]["predictions"] = ["P17", *lines[2]["predictions"][1:]]
    elif case == "hash":
        lines[0]["episode_file_sha256"] = other_sha
    elif case == "no-header":
        lines = lines[1:]
    elif case == "count":
        lines[2]["predictions"] = lines[2]["predictions"][:-1]
    return lines


@pytest.mark.parametrize(("case", "fragments"), [
    ("wrong-id", ("line 4", "episode '0-09999' is not in the episode file")),
    ("missing", ("episode 0-00003 has no predictions", "1 of 6 episodes are missing")),
    ("duplicate", ("line 4", "episode 0-00001 answered again (first on line 3)")),
    ("foreign-label", ("line 3", "label 'P17'", "none of the episode's candidates")),
    ("hash", ("line 1", "but the episode file given has sha256", "score against the file these episodes came from")),
    ("no-header", ("line 1", "episode_file_sha256")),
    ("count", ("line 3", "has 10 queries but 9 predictions")),
])  # fmt: skip
def test_bad_predictions_are_one_line_exit_2_and_write_nothing(harness_run, tmp_path, capsys, case, fragments):
    episodes_file, lines = _good_lines(harness_run)
    other_sha = _jsonl(_files(harness_run["export"], 1)["text"])[0]["episode_file_sha256"]
    predictions = tmp_path / "answers.jsonl"
    predictions.write_text("".join(json.dumps(line) + "\n" for line in _broken(lines, case, other_sha)))
    capsys.readouterr()
    assert _score(tmp_path / "results", "bad", [(episodes_file, predictions)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith(f"error: {predictions}") and "Traceback" not in err, err
    for fragment in fragments:
        assert fragment in err, err
    assert not (tmp_path / "results").exists()


def test_per_query_duplicates_gaps_and_indices_are_named(harness_run, tmp_path, capsys):
    episodes_file, lines = _good_lines(harness_run)
    header, episodes = lines[0], lines[1:]
    per_query = [header, *({"episode_id": e["episode_id"], "query_index": i, "label": label}
                           for e in episodes for i, label in enumerate(e["predictions"]))]
    cases = {
        "dup": ([*per_query[:5], per_query[3], *per_query[5:]], "line 6: episode 0-00000 query 2 answered again"),
        "gap": (per_query[:4] + per_query[5:], "episode 0-00000 query 3 has no prediction"),
        "index": ([*per_query[:2], {**per_query[2], "query_index": 10}, *per_query[3:]], "query_index 10 is not in 0..9"),
        "mixed": ([*per_query, episodes[0]], "a per-episode line in a file of per-query lines"),
    }
    for name, (records, fragment) in cases.items():
        path = tmp_path / f"{name}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records))
        capsys.readouterr()
        assert _score(tmp_path / "results", "bad", [(episodes_file, path)]) == 2, name
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and fragment in err, err


def test_a_declared_seed_must_be_the_episode_files(harness_run, tmp_path, capsys):
    episodes_file, lines = _good_lines(harness_run)
    path = tmp_path / "answers.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert _score(tmp_path / "results", "x", [(episodes_file, path)], "--seed", "1") == 2
    assert "--seed 1 but" in capsys.readouterr().err


def test_licensed_text_is_exported_only_from_the_users_own_copy(tmp_path, capsys):
    tacred = tmp_path / "mine" / "tacred_train.json"
    tacred.parent.mkdir()
    relations = ("org:founded_by", "per:title", "per:city_of_birth")
    records = [{"id": f"r{r}{i}", "relation": rel, "token": ["Ann", "Lee", "of", "Acme", "Corp", "."],
                "subj_start": 0, "subj_end": 1, "obj_start": 3, "obj_end": 4, "subj_type": "PERSON",
                "obj_type": "ORGANIZATION"} for r, rel in enumerate(relations) for i in range(3)]
    tacred.write_text(json.dumps(records))
    task = ["episodes", "export", "--dataset", str(tacred), "--settings", "2-1", "--episodes", "2"]
    assert main([*task, "--out", str(tmp_path / "ids")]) == 0  # ids only: nothing licensed leaves
    capsys.readouterr()
    assert main([*task, "--out", str(tmp_path / "text"), "--with-text"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "LDC2018T24" in err and "--licensed-copy" in err, err
    assert not list((tmp_path / "text").glob("*.text.jsonl"))
    assert main([*task, "--out", str(tmp_path / "text"), "--with-text", "--licensed-copy", str(tacred)]) == 0
    (text,) = (tmp_path / "text").glob("*.text.jsonl")
    query = _jsonl(text)[1]["queries"][0]
    assert query["head"] == {"char_span": [0, 7], "text": "Ann Lee", "token_span": [0, 2], "type": "PERSON"}
    assert json.loads((tmp_path / "text" / "manifest.json").read_text())["licence"] == "LDC2018T24"


def test_kshot_copied_random_predictions_over_two_splits_score_as_the_harness(tmp_path):
    """K-shot RC: one split per seed (supports and dev from train, every test query); a seed-level result."""
    task = ["--protocol", "kshot", "--dataset", "semeval2010", "--k", "8", "--seeds", "13,21"]
    assert main(["run", "--methods", "random", *task, "--output-dir", str(tmp_path / "results")]) == 0
    assert main(["episodes", "export", *task, "--out", str(tmp_path / "export"), "--with-text"]) == 0
    harness = ResultFile.load(result_file(tmp_path / "results" / "runs" / "semeval2010_test" / "kshot" / "K8" / "random"))
    pairs = []
    for seed, row in zip((13, 21), harness.result["per_seed"], strict=True):
        stem = tmp_path / "export" / f"semeval2010_test-kshot-K8-s{seed}"
        text = Path(f"{stem}.text.jsonl")
        episode = _jsonl(text)[1]
        assert all(len(c["supports"]) <= 8 and "dev" in c for c in episode["candidates"])
        _answer("copy", text, harness.path.parent / row["predictions"], tmp_path / f"s{seed}.jsonl")
        pairs.append((Path(f"{stem}.episodes.jsonl"), tmp_path / f"s{seed}.jsonl"))
    assert _score(tmp_path / "scored", "copy", pairs, "--method-type", "floor") == 0
    scored = ResultFile.load(result_file(tmp_path / "scored" / "runs" / "semeval2010_test" / "kshot" / "K8" / "copy"))
    assert scored.result["metrics"] == harness.result["metrics"]
    assert scored.summary("micro_f1")["ci_method"].startswith("Student-t interval over seed scores")


def test_score_arguments_must_pair_up(harness_run, tmp_path, capsys):
    episodes_file, _ = _good_lines(harness_run)
    code = main(["score", "--method-name", "x", "--episodes-file", str(episodes_file), "--episodes-file",
                 str(episodes_file), "--predictions", str(tmp_path / "p.jsonl"), "--output-dir", str(tmp_path)])
    assert code == 2 and "2 --episodes-file but 1 --predictions" in capsys.readouterr().err

    assert _score(tmp_path, "../escape", [(episodes_file, episodes_file)]) == 2
    assert "--method-name '../escape'" in capsys.readouterr().err
    assert _score(tmp_path, "proto", [(episodes_file, episodes_file)]) == 2
    assert "'proto' is a method the harness runs" in capsys.readouterr().err


def test_an_unwritable_export_directory_is_one_line(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    argv = ["episodes", "export", "--dataset", "fewrel/val_wiki", "--episodes", "2", "--out", str(blocker / "out")]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"cannot write the export to {blocker / 'out'}" in err, err


def test_several_seeds_of_a_declared_trained_system_get_the_seed_level_interval(harness_run, tmp_path):
    from fsre_bench.metrics.seed_level import CI_T_OVER_TRAINING_SEEDS, summarize_trained
    from fsre_bench.results import negative_labels, read_predictions_log, unit_counts

    proto = harness_run["proto"]
    pairs, counts = [], []
    for seed, row in zip((0, 1), proto.result["per_seed"], strict=True):
        files = _files(harness_run["export"], seed)
        log = proto.path.parent / row["predictions"]
        _answer("copy", files["text"], log, tmp_path / f"t{seed}.jsonl")
        pairs.append((files["episodes"], tmp_path / f"t{seed}.jsonl"))
        counts.append(unit_counts(read_predictions_log(log), negative_labels(None), per_query=False))
    assert _score(tmp_path / "results", "my-model", pairs) == 0  # --method-type defaults to trained
    scored = ResultFile.load(result_file(tmp_path / "results" / "runs" / "fewrel_val_wiki" / "episodic" / "5-1"
                                         / "my-model"))
    summary = scored.summary("accuracy")
    expected = summarize_trained("accuracy", counts, unit="episode", n_bootstrap=1000)
    assert summary["ci_method"] == CI_T_OVER_TRAINING_SEEDS.format(n=2)
    assert summary["ci95"] == list(expected.ci95) and summary["mean"] == proto.summary("accuracy")["mean"]
    assert scored.result["flags"]["training_variance_measured"] is True
    assert scored.result["provenance"]["mixed"] is False
    assert all(row["provenance"]["external_predictions_sha256"] for row in scored.result["per_seed"])
