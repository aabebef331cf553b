"""Method-vs-controls comparisons as one Holm family, on the committed results (``report compare``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fsre_bench.cli.main import main
from fsre_bench.errors import ConfigError, DataError
from fsre_bench.report.collect import collect_rows
from fsre_bench.report.comparison import build_comparisons, parse_pairs

RESULTS = Path(__file__).resolve().parents[1] / "results"


def test_compare_block_is_one_holm_family_and_only_three_kshot_claims_survive(tmp_path, capsys):
    out_json = tmp_path / "block.json"
    assert main(["report", "compare", "--results", str(RESULTS), "--dataset", "semeval2010/test", "--settings",
                 "K=8,K=16,K=32", "--pairs", "finetune:tkre,finetune-synth:tkre,proto-ft:tkre",
                 "--json", str(out_json)]) == 0
    capsys.readouterr()
    block = json.loads(out_json.read_text())
    survivors = {(t["a"], t["setting"]) for t in block["tests"] if t["significant"]}
    assert survivors == {("finetune", "K=16"), ("finetune", "K=32"), ("proto-ft", "K=32")}
    k8 = next(t for t in block["tests"] if t["a"] == "finetune" and t["setting"] == "K=8")
    assert k8["p_raw"] == pytest.approx(0.047, abs=5e-4) and k8["p_holm"] == pytest.approx(0.140, abs=5e-4)
    committed = RESULTS / "comparisons" / "semeval2010_test-kshot-tkre-vs-controls.json"
    assert json.loads(committed.read_text()) == block  # the committed block is what the command computes


def test_committed_fewrel_comparisons_and_ablations_carry_no_star_after_holm():
    block = json.loads((RESULTS / "comparisons" / "fewrel_val_wiki-episodic-comparisons.json").read_text())
    assert len(block["tests"]) == 10 and not any(t["significant"] for t in block["tests"])
    assert min(t["p_holm"] for t in block["tests"]) == pytest.approx(0.114, abs=5e-4)
    for name in ("tkre-fewrel_val_wiki-episodic-5-1", "tkre-fewrel_val_wiki-episodic-5-5",
                 "tkre-semeval2010_test-kshot-K8"):
        table = json.loads((RESULTS / "ablations" / f"{name}.json").read_text())
        assert not any(row["significant"] for row in table["rows"])
        assert all(row["p_holm"] >= row["p_raw"] for row in table["rows"] if row["p_raw"] is not None)
        assert "| * |" not in (RESULTS / "ablations" / f"{name}.md").read_text()


def test_pairs_are_a_colon_b_and_a_missing_result_is_named():
    assert parse_pairs(" finetune:tkre, proto-ft : tkre ,") == [("finetune", "tkre"), ("proto-ft", "tkre")]
    for bad in ("finetune", "finetune:", ":tkre"):
        with pytest.raises(ConfigError, match=rf"--pairs: '{bad}' is not A:B"):
            parse_pairs(bad)
    rows = collect_rows(RESULTS)
    with pytest.raises(DataError, match=r"^no result for no-such-method at setting K=8$"):
        build_comparisons(rows, [("finetune", "no-such-method")], ["K=8"], n_bootstrap=100, context=rows)
