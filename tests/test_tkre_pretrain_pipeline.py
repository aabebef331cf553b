"""Pins pretrain_encoder end to end on real MiniLM: output, stages, determinism, cache, resume."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from safetensors.torch import load_file

from fsre_bench.cache import file_sha256
from tests.support.racing import run_racers
from tests.support.tkre_pretrain_fixtures import TINY_CONFIG, offline_cache, tiny_pretrain_set  # noqa: F401
from tkre.pretrain import CorruptCheckpointWarning, PretrainConfig, pretrain_encoder
from tkre.pretrain.model import default_base_model, weights_digest


class Interrupted(RuntimeError):
    pass


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory):
    """One uninterrupted full run (stage 1 + stage 2, 2 epochs each) that other tests compare to."""
    examples, relations = tiny_pretrain_set()
    root = tmp_path_factory.mktemp("reference-cache")
    result = pretrain_encoder(examples, relations, TINY_CONFIG, cache_dir=root, progress=False)
    return result, file_sha256(result.encoder_dir / "model.safetensors")


def _run(cache: Path, config: PretrainConfig = TINY_CONFIG, **kwargs):
    examples, relations = tiny_pretrain_set()
    return pretrain_encoder(examples, relations, config, cache_dir=cache, progress=False, **kwargs)


def _flip_bytes(path: Path, at: int = -16) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))


def _assert_complete_entry(result, expected_sha: str) -> None:
    entry = result.encoder_dir.parent
    marker = json.loads((entry / "complete.json").read_text())
    assert marker["files"]["model.safetensors"] == expected_sha
    assert file_sha256(result.encoder_dir / "model.safetensors") == expected_sha
    assert not (entry / "work").exists()  # training checkpoints cleared once complete


def test_output_loads_with_automodel_and_records_what_ran(reference):
    from transformers import AutoModel, AutoTokenizer

    result, _ = reference
    encoder = AutoModel.from_pretrained(str(result.encoder_dir), local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(str(result.encoder_dir), local_files_only=True)
    files = {p.name for p in result.encoder_dir.iterdir()}
    assert "model.safetensors" in files and not any(n.endswith((".bin", ".pt", ".pkl")) for n in files)
    tensors = load_file(str(result.encoder_dir / "model.safetensors"))
    assert not any(
        k.startswith(("cls.", "mlm_head", "projection", "anchors")) for k in tensors
    )  # encoder only
    hidden = encoder(**tokenizer(["the engine of the car"], return_tensors="pt")).last_hidden_state
    assert hidden.shape[-1] == 384
    base = AutoModel.from_pretrained(default_base_model(), local_files_only=True)
    assert weights_digest(encoder) != weights_digest(base)
    info = result.info
    json.dumps(info)  # JSON-serialisable
    assert info["cache_hit"] is False and len(info["cache_key"]) == 24
    assert info["base_model"]["weights_sha256"] and info["base_model"]["mlm_head"] == "fresh-tied"
    assert info["examples"]["kept"] == 16 and info["examples"]["no_relation_span"] == 2
    for stage, objectives in (("stage1", ["mslm"]), ("stage2", ["mslm", "scl"])):
        ran = info["stages"][stage]
        assert ran["objectives"] == objectives and ran["steps"] == 4 and ran["epochs_completed"] == 2
        assert ran["tokens"] > 0 and ran["wall_s"] > 0 and len(ran["loss_per_epoch"]["total"]) == 2
    assert info["stages"]["stage2"]["scl_rows"] > 0
    assert info["stages"]["stage2"]["scl_skipped_no_relation_span"] == 4  # 2 texts x 2 epochs
    warmup = info["stages"]["mlm_warmup"]
    assert warmup["steps"] == 3 and warmup["encoder_frozen"] is True and warmup["objectives"] == ["mslm"]
    # the warm-up trains the fresh head only: stage 1 starts from the base encoder's exact weights
    assert info["stages"]["stage1"]["start_weights_sha256"] == weights_digest(base)
    assert warmup["end_weights_sha256"] == weights_digest(base)


def test_stage2_starts_from_the_stage1_weights(reference, tmp_path: Path):
    from transformers import AutoModel

    result, _ = reference
    stages = result.info["stages"]
    assert stages["stage2"]["start_weights_sha256"] == stages["stage1"]["end_weights_sha256"]
    assert stages["stage1"]["start_weights_sha256"] != stages["stage1"]["end_weights_sha256"]
    # a stage-1-only run with the same settings exports exactly the weights stage 2 started from
    only_stage1 = _run(tmp_path, replace(TINY_CONFIG, stage2_scl=False, stage2_mslm=False))
    exported = AutoModel.from_pretrained(str(only_stage1.encoder_dir), local_files_only=True)
    assert weights_digest(exported) == stages["stage2"]["start_weights_sha256"]
    assert only_stage1.info["stages"]["stage2"]["ran"] is False


def test_a_variant_with_the_same_stage1_reuses_its_weights_instead_of_training_it_again(reference):
    result, _ = reference
    root = result.encoder_dir.parent.parent
    no_scl = _run(root, replace(TINY_CONFIG, stage2_scl=False, tau=0.5))  # tkre-no-scl: stage 1 is the same
    assert no_scl.info["cache_key"] != result.info["cache_key"]
    first, again = result.info["stages"], no_scl.info["stages"]
    assert again["stage1"]["reused"] and "reused" not in first["stage1"]
    assert again["stage2"]["start_weights_sha256"] == first["stage1"]["end_weights_sha256"]
    assert again["stage2"]["objectives"] == ["mslm"]
    # a setting stage 1 reads is a different stage 1
    other = _run(root, replace(TINY_CONFIG, stage2_scl=False, mask_prob_ordinary=0.3))
    assert "reused" not in other.info["stages"]["stage1"]


_RACER = """
import json, sys, time
sys.path.insert(0, {root!r})
from dataclasses import replace
from pathlib import Path
from tests.support.tkre_pretrain_fixtures import TINY_CONFIG, tiny_pretrain_set
from tests.support.racing import wait_for
from tkre.pretrain import pretrain_encoder
signals, role = Path({signals!r}), {role!r}
def on_step(stage, epoch, step, losses):
    # tkre at its first stage-1 step: say so, wait until tkre-no-scl has started, give it time to reach its reuse check
    if role == "tkre" and stage == "stage1" and not (signals / "tkre-in-stage1").exists():
        (signals / "tkre-in-stage1").touch()
        wait_for(signals, "no-scl-started")
        time.sleep(4)
examples, relations = tiny_pretrain_set()
config = TINY_CONFIG if role == "tkre" else replace(TINY_CONFIG, stage2_scl=False, tau=0.5)
if role == "no-scl":
    wait_for(signals, "tkre-in-stage1")
    (signals / "no-scl-started").touch()
result = pretrain_encoder(examples, relations, config, cache_dir=Path({cache!r}), progress=False, on_step=on_step)
print(json.dumps(result.info["stages"]))
"""


@pytest.mark.slow
def test_two_variants_started_together_train_their_shared_stage1_once(tmp_path: Path, offline_cache: Path):  # noqa: F811
    """tkre and tkre-no-scl on two ray workers: the second waits for the first's stage 1 instead of training it
    again beside it (the shared entry is locked from the reuse check until stage 1 is saved)."""
    root, cache, signals = str(Path(__file__).resolve().parents[1]), str(tmp_path / "cache"), tmp_path / "signals"
    signals.mkdir()
    stages = run_racers({role: _RACER.format(root=root, signals=str(signals), role=role, cache=cache)
                         for role in ("tkre", "no-scl")}, dict(os.environ))
    assert "reused" not in stages["tkre"]["stage1"]  # tkre trained stage 1 while no-scl waited
    assert stages["no-scl"]["stage1"]["reused"]
    assert stages["no-scl"]["stage2"]["start_weights_sha256"] == stages["tkre"]["stage1"]["end_weights_sha256"]


def test_same_seed_same_bytes_other_seed_other_bytes(reference, tmp_path: Path):
    _, sha = reference
    again = _run(tmp_path / "again")
    assert file_sha256(again.encoder_dir / "model.safetensors") == sha
    other = _run(tmp_path / "other", replace(TINY_CONFIG, seed=8))
    assert file_sha256(other.encoder_dir / "model.safetensors") != sha


def test_second_call_is_a_fast_cache_hit(reference):
    result, _sha = reference
    started = time.perf_counter()
    hit = _run(result.encoder_dir.parent.parent)
    assert hit.cache_hit and hit.info["cache_hit"] is True
    assert time.perf_counter() - started < 5.0
    assert hit.encoder_dir == result.encoder_dir and hit.info["cache_key"] == result.info["cache_key"]
    assert hit.info["harness"] == result.info["harness"] and hit.info["harness"]["version"]  # who trained it
    # settings that do not change the weights do not change the key
    assert _run(result.encoder_dir.parent.parent, replace(TINY_CONFIG, num_threads=2, keep_checkpoints=True)).cache_hit


def test_corrupted_output_is_detected_and_rebuilt(reference, tmp_path: Path):
    result, sha = reference
    shutil.copytree(result.encoder_dir.parent.parent, tmp_path, dirs_exist_ok=True)
    _flip_bytes(tmp_path / result.encoder_dir.parent.name / "encoder" / "model.safetensors")
    with pytest.warns(CorruptCheckpointWarning, match="fails its sha256"):
        rebuilt = _run(tmp_path)
    assert not rebuilt.cache_hit and rebuilt.info["warnings"]
    _assert_complete_entry(rebuilt, sha)


def test_interrupted_mid_stage_resumes_from_the_epoch_checkpoint(reference, tmp_path: Path):
    _, sha = reference

    def stop_in_second_epoch(stage: str, epoch: int, step: int, losses: dict) -> None:
        if stage == "stage1" and epoch == 1:
            raise Interrupted

    with pytest.raises(Interrupted):
        _run(tmp_path, on_step=stop_in_second_epoch)
    (entry,) = [p for p in tmp_path.iterdir() if p.is_dir() and p.name != "stage1"]  # stage1/: shared weights
    assert not (entry / "complete.json").exists()
    checkpoints = sorted(p.name for p in (entry / "work").glob("*.safetensors"))
    # the completed MLM warm-up (2 epochs of the tiny set) and stage 1's first epoch
    assert checkpoints == ["mlm_warmup-epoch001.safetensors", "stage1-epoch000.safetensors"]
    resumed = _run(tmp_path)
    assert resumed.info["resumed_from"] == {"stage": "stage1", "epoch": 0, "stage_complete": False}
    _assert_complete_entry(resumed, sha)  # optimiser state restored: bitwise the uninterrupted result


def test_corrupted_epoch_checkpoint_is_discarded_and_the_stage_restarts(reference, tmp_path: Path):
    _, sha = reference

    def stop_in_stage2(stage: str, epoch: int, step: int, losses: dict) -> None:
        if stage == "stage2" and epoch == 1:
            raise Interrupted

    with pytest.raises(Interrupted):
        _run(tmp_path, on_step=stop_in_stage2)
    (entry,) = [p for p in tmp_path.iterdir() if p.is_dir() and p.name != "stage1"]  # stage1/: shared weights
    _flip_bytes(entry / "work" / "stage2-epoch000.safetensors")
    with pytest.warns(CorruptCheckpointWarning, match="stage2-epoch000"):
        resumed = _run(tmp_path)
    assert resumed.info["resumed_from"] == {"stage": "stage1", "epoch": 1, "stage_complete": True}
    _assert_complete_entry(resumed, sha)


_CHILD = """
import sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from tests.support.tkre_pretrain_fixtures import TINY_CONFIG, tiny_pretrain_set
from tkre.pretrain import pretrain_encoder
def report(stage, epoch, step, losses):
    print(stage, epoch, step, flush=True)
    time.sleep(0.3)
examples, relations = tiny_pretrain_set()
pretrain_encoder(examples, relations, TINY_CONFIG, cache_dir=Path({cache!r}), progress=False, on_step=report)
print("finished", flush=True)
"""


@pytest.mark.slow
def test_sigkill_mid_training_then_rerun_completes_the_entry(reference, tmp_path: Path, offline_cache: Path):  # noqa: F811
    _, sha = reference
    cache = tmp_path / "killed"
    code = _CHILD.format(root=str(Path(__file__).resolve().parents[1]), cache=str(cache))
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=dict(os.environ)
    )
    seen = []
    try:
        assert child.stdout is not None
        for line in child.stdout:
            seen.append(line.split())
            if seen[-1][:2] == ["stage2", "0"]:  # stage 1 is checkpointed; stage 2 is mid-epoch
                os.kill(child.pid, signal.SIGKILL)
                break
    finally:
        child.wait(timeout=120)
    assert child.returncode == -signal.SIGKILL, seen
    resumed = _run(cache)
    assert resumed.info["resumed_from"]["stage"] == "stage1"
    _assert_complete_entry(resumed, sha)


def test_ablation_flags_select_the_objectives(tmp_path: Path):
    no_mslm = replace(TINY_CONFIG, stage1_mslm=False, stage2_mslm=False, stage2_epochs=1, max_steps=1)
    stages = _run(tmp_path, no_mslm).info["stages"]
    assert stages["stage1"] == {"ran": False, "reason": "stage1_mslm is off"}
    assert stages["stage2"]["objectives"] == ["scl"] and stages["stage2"]["masked_tokens"] == 0
    assert stages["stage2"]["steps"] == 1 and stages["stage2"]["stopped_by_max_steps"] is True
    no_scl = replace(TINY_CONFIG, stage2_scl=False, stage1_epochs=1, stage2_epochs=1, max_steps=1)
    stages = _run(tmp_path, no_scl).info["stages"]
    assert stages["stage1"]["objectives"] == ["mslm"] and stages["stage2"]["objectives"] == ["mslm"]
    assert stages["stage2"]["scl_rows"] == 0
