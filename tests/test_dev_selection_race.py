"""Two processes selecting the same meta-training entry at once: the second waits and reuses the first's.

On the grid, tkre and tkre-desc of one seed meta-train the same encoder (the description fusion is
chosen afterwards) and ran on two Ray workers together; both trained into the same checkpoint
folder of the key and one crashed on the other's vanished ``model.safetensors``. Real MiniLM, real
SemEval training relations, a 4-step budget.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.racing import run_racers

_SELECTOR = """
import json, sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from baselines.dev_selection import SelectionSpace, select_episodic, split_dev_relations
from baselines.episodic_training import EpisodicBudget
from baselines.prototype_head import head_factory
from fsre_bench.cache import file_sha256
from fsre_bench.data import load_dataset
from fsre_bench.encoders.identity import resolve_encoder_path
from tests.support.racing import wait_for
signals, role = Path({signals!r}), {role!r}
plain = head_factory("marker-start", False)
def make_head(encoder_dir, fusion_weight):
    # "first" at its first checkpoint: say so, wait until "second" has started, give it time to reach its reuse check
    if role == "first" and not (signals / "first-in-checkpoint").exists():
        (signals / "first-in-checkpoint").touch()
        wait_for(signals, "second-started")
        time.sleep(4)
    return plain(encoder_dir, fusion_weight)
train = load_dataset("semeval2010/train", {data!r})
fit, dev = split_dev_relations(train, 4, seed=0)
budget = EpisodicBudget.from_options({{"proto_ft_steps": 4, "proto_ft_n_way": 3, "proto_ft_k_shot": 1}})
space = SelectionSpace.from_options({{"select_dev_episodes": 4, "select_checkpoints": [0.5, 1.0]}})
if role == "second":
    wait_for(signals, "first-in-checkpoint")
    (signals / "second-started").touch()
run = select_episodic(fit, dev, budget, resolve_encoder_path(None), seed=0, device="cpu", space=space,
                      make_head=make_head, namespace="race_test", key="same-key")
print(json.dumps({{"reused": run.reused, "path": str(run.path), "sha": file_sha256(run.path / "model.safetensors"),
                  "chosen": run.info["model_selection"]["chosen"]}}))
"""


@pytest.mark.slow
def test_two_selections_of_one_key_started_together_train_it_once(tmp_path: Path, data_dir: Path) -> None:
    root, signals = str(Path(__file__).resolve().parents[1]), tmp_path / "signals"
    signals.mkdir()
    env = {**os.environ, "FSRE_BENCH_CACHE": str(tmp_path / "cache"), "OMP_NUM_THREADS": "1"}
    runs = run_racers({role: _SELECTOR.format(root=root, signals=str(signals), role=role, data=str(data_dir))
                       for role in ("first", "second")}, env)
    assert (signals / "second-started").exists()  # the second really started while the first was training
    assert runs["first"]["reused"] is False and runs["second"]["reused"] is True
    assert runs["second"]["path"] == runs["first"]["path"] and runs["second"]["sha"] == runs["first"]["sha"]
    assert runs["second"]["chosen"] == runs["first"]["chosen"]
    leftovers = [p.name for p in Path(runs["first"]["path"]).parent.iterdir() if p.name.startswith(".checkpoint.")]
    assert not leftovers  # no checkpoint folder of either process is left behind
