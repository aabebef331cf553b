"""Per-episode random generators: episode i of seed s depends on (protocol, s, i) alone."""

from __future__ import annotations

import hashlib
import random


def episode_rng(protocol: str, seed: int, index: int) -> random.Random:
    """A ``random.Random`` seeded from sha256 of (protocol, seed, index); stable across runs and Python versions."""
    digest = hashlib.sha256(f"fsre-bench/{protocol}/{seed}/{index}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def keyed_rng(*parts: object) -> random.Random:
    """A ``random.Random`` seeded from sha256 of ``parts`` (e.g. a K-shot seed and a label)."""
    digest = hashlib.sha256("/".join(map(str, ("fsre-bench", *parts))).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def episode_id(seed: int, index: int) -> str:
    """``<seed>-<index:05d>``: unique across seeds, sorts in episode order."""
    return f"{seed}-{index:05d}"
