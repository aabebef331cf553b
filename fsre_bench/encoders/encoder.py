"""A frozen text encoder with entity-aware instance representations and a two-level cache.

Every unique instance is encoded once per run (in-memory dict) and once per machine (the
SQLite store, keyed by encoder identity + representation + the instance's text and spans).
torch and the model load lazily, on the first cache miss, so a fully cached run never pays for
them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from fsre_bench.cache import cache_dir, content_hash
from fsre_bench.encoders.entity_markers import (
    MarkedWords,
    marked_words,
    plain_words,
    subword_spans,
    word_span_to_subwords,
)
from fsre_bench.encoders.identity import DEFAULT_ENCODER, encoder_identity, resolve_encoder_path
from fsre_bench.encoders.store import EmbeddingStore
from fsre_bench.numerics import PORTABLE, active_mode
from fsre_bench.precision import autocast, resolve_precision
from fsre_bench.types import RelationInstance

# entity-pool: mean of the head's and of the tail's subword states, concatenated (2H)
# marker-start: states at the two opening entity markers, concatenated (2H; TKRE's representation)
# marker-mean: mean of all states of the marked sentence, L2-normalised (H)
REPRESENTATIONS = ("entity-pool", "marker-start", "marker-mean")
_KEY_VERSION = 1  # bump when a representation's computation changes
_STORE_CHUNK = 512  # instances encoded between two commits to the store


@dataclass
class EncoderStats:
    encoded_instances: int = 0  # instances that went through the model (forward passes per instance)
    encoded_texts: int = 0
    memory_hits: int = 0
    disk_hits: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


class Encoder:
    """Frozen encoder; ``embed_instances`` for relation instances, ``embed_texts`` for sentences."""

    def __init__(
        self,
        name_or_path: str | None = None,
        *,
        device: str = "cpu",
        batch_size: int = 64,
        max_length: int = 256,
        use_disk_cache: bool = True,
    ):
        self.name = name_or_path or DEFAULT_ENCODER
        self.path = resolve_encoder_path(name_or_path)
        self.identity = encoder_identity(self.path)
        self.device = device
        # bf16/fp16 vectors differ from float32 ones: they get cache keys of their own
        precision = resolve_precision(device)
        self._key_identity = self.identity if precision == "fp32" else f"{self.identity}+{precision}"
        if active_mode() == PORTABLE:  # portable kernels give other bytes than native ones (fsre_bench/numerics.py)
            self._key_identity += f"+{PORTABLE}"
        self.batch_size = batch_size
        self.max_length = max_length
        self.stats = EncoderStats()
        self._memory: dict[str, np.ndarray] = {}
        self._store = EmbeddingStore(cache_dir("embeddings") / "vectors.sqlite") if use_disk_cache else None
        self._model: Any = None

    # ----------------------------------------------------------------- public API
    def embed_instances(
        self,
        instances: Sequence[RelationInstance],
        representation: str = "entity-pool",
        on_progress: Callable[[int, int], None] | None = None,
    ) -> np.ndarray:
        """One row per instance (duplicates share one forward pass)."""
        if representation not in REPRESENTATIONS:
            raise ValueError(f"unknown representation {representation!r}; known: {', '.join(REPRESENTATIONS)}")
        keys = [self._instance_key(inst, representation) for inst in instances]
        todo = self._missing(dict(zip(keys, instances, strict=True)))
        if todo:
            self._encode_instances(todo, representation, on_progress)
        return np.stack([self._memory[k] for k in keys]) if keys else np.zeros((0, 0), dtype=np.float32)

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised sentence embeddings with the model's own pooling (sentence-transformers)."""
        keys = [content_hash(_KEY_VERSION, self._key_identity, "sentence", self.max_length, t) for t in texts]
        todo = self._missing(dict(zip(keys, texts, strict=True)))
        if todo:
            model = self._load_model()
            with autocast(self.device):
                vectors = model.encode(list(todo.values()), batch_size=self.batch_size, normalize_embeddings=True,
                                       convert_to_numpy=True, show_progress_bar=False)
            self.stats.encoded_texts += len(todo)
            self._remember(dict(zip(todo.keys(), vectors.astype(np.float32), strict=True)))
        return np.stack([self._memory[k] for k in keys]) if keys else np.zeros((0, 0), dtype=np.float32)

    def encode_uncached(self, instances: Sequence[RelationInstance], representation: str = "entity-pool") -> np.ndarray:
        """One forward pass over exactly these instances, bypassing both caches (benchmarks, baselines)."""
        marked = [plain_words(i) if representation == "entity-pool" else marked_words(i) for i in instances]
        rows: list[np.ndarray] = []
        for start in range(0, len(marked), self.batch_size):
            rows.extend(self._forward_representation(marked[start:start + self.batch_size], representation))
        self.stats.encoded_instances += len(instances)
        return np.stack(rows)

    def parameter_count(self) -> int:
        return sum(p.numel() for p in self._load_model().parameters())

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    # ----------------------------------------------------------------- caching
    def _instance_key(self, inst: RelationInstance, representation: str) -> str:
        typed = representation.startswith("marker") and (inst.head_type or inst.tail_type)
        types = (inst.head_type, inst.tail_type) if typed else None
        return content_hash(_KEY_VERSION, self._key_identity, representation, self.max_length,
                            inst.tokens, inst.head_span, inst.tail_span, types)

    def _missing(self, items: dict[str, Any]) -> dict[str, Any]:
        """Items not in memory; pulls what the disk store has into memory first."""
        not_in_memory = {k: v for k, v in items.items() if k not in self._memory}
        self.stats.memory_hits += len(items) - len(not_in_memory)
        if not_in_memory and self._store is not None:
            found = self._store.get_many(list(not_in_memory))
            self._memory.update(found)
            self.stats.disk_hits += len(found)
            not_in_memory = {k: v for k, v in not_in_memory.items() if k not in found}
        return not_in_memory

    def _remember(self, vectors: dict[str, np.ndarray]) -> None:
        self._memory.update(vectors)
        if self._store is not None:
            self._store.put_many(vectors)

    # ----------------------------------------------------------------- encoding
    def _encode_instances(self, todo: dict[str, RelationInstance], representation: str,
                          on_progress: Callable[[int, int], None] | None) -> None:
        marked = {k: (plain_words(i) if representation == "entity-pool" else marked_words(i)) for k, i in todo.items()}
        # Length-sorted batches waste little on padding; order is fixed by (length, key) for determinism.
        order = sorted(marked, key=lambda k: (len(marked[k].words), k))
        done = 0
        for start in range(0, len(order), _STORE_CHUNK):
            chunk = order[start:start + _STORE_CHUNK]
            vectors: dict[str, np.ndarray] = {}
            for b in range(0, len(chunk), self.batch_size):
                batch_keys = chunk[b:b + self.batch_size]
                rows = self._forward_representation([marked[k] for k in batch_keys], representation)
                vectors.update(zip(batch_keys, rows, strict=True))
            self.stats.encoded_instances += len(chunk)
            self._remember(vectors)
            done += len(chunk)
            if on_progress:
                on_progress(done, len(order))

    def _forward_representation(self, batch: list[MarkedWords], representation: str) -> list[np.ndarray]:
        import torch

        model = self._load_model()
        transformer, tokenizer = model[0].auto_model, model.tokenizer
        encoding = tokenizer([list(m.words) for m in batch], is_split_into_words=True, padding=True,
                             truncation=True, max_length=self.max_length, return_tensors="pt")
        inputs = {k: v.to(self.device) for k, v in encoding.items() if k in ("input_ids", "attention_mask", "token_type_ids")}
        with torch.inference_mode(), autocast(self.device):
            hidden = transformer(**inputs).last_hidden_state.float().cpu().numpy()
        mask = encoding["attention_mask"].numpy()
        rows = []
        for i, marked in enumerate(batch):
            spans = subword_spans(encoding.word_ids(i), len(marked.words))
            rows.append(_pool(hidden[i], mask[i], spans, marked, representation).astype(np.float32))
        return rows

    def _load_model(self) -> Any:
        if self._model is None:
            import os

            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            import transformers
            from sentence_transformers import SentenceTransformer

            transformers.logging.set_verbosity_error()
            transformers.utils.logging.disable_progress_bar()

            self._model = SentenceTransformer(self.path, device=self.device)
            self._model.eval()
        return self._model


def _pool(hidden: np.ndarray, mask: np.ndarray, spans: list, marked: MarkedWords, representation: str) -> np.ndarray:
    """Pool one sequence's subword states; a truncated entity falls back to the sentence mean."""
    sentence = (hidden * mask[:, None]).sum(0) / max(mask.sum(), 1)
    if representation == "marker-mean":
        return sentence / max(np.linalg.norm(sentence), 1e-12)
    if representation == "marker-start":
        parts = [spans[marked.head_marker], spans[marked.tail_marker]]
        return np.concatenate([hidden[p[0]] if p else sentence for p in parts])
    head = word_span_to_subwords(spans, *marked.head)
    tail = word_span_to_subwords(spans, *marked.tail)
    return np.concatenate([hidden[s[0]:s[1]].mean(0) if s else sentence for s in (head, tail)])


_LOADED: dict[tuple, Encoder] = {}


def load_encoder(name_or_path: str | None = None, *, device: str = "cpu", **kwargs: Any) -> Encoder:
    """A process-wide Encoder per (encoder, device, options), so methods in one run share a cache."""
    key = (resolve_encoder_path(name_or_path), device, tuple(sorted(kwargs.items())))
    if key not in _LOADED:
        _LOADED[key] = Encoder(name_or_path, device=device, **kwargs)
    return _LOADED[key]
