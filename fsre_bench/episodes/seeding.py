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


# Seeds a run accepts: 0 .. 2**32 - 1. The episode samplers hash any integer, but the methods seed
# numpy (legacy RandomState: 0 .. 2**32 - 1; default_rng: no negatives) and torch (< 2**64) with
# the same number, so a negative or 20-digit seed would fail deep inside a method, or not at all in
# one and in another: the range every consumer takes is checked once, up front.
MAX_SEED = 2**32 - 1


def check_seed(seed: int, flag: str = "--seeds") -> None:
    """A ConfigError naming ``flag`` unless ``0 <= seed <= MAX_SEED``."""
    from fsre_bench.errors import ConfigError

    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise ConfigError(f"{flag} {seed!r} is outside the seed range 0 .. {MAX_SEED} (2**32 - 1) that the "
                          "samplers and every method's random generators accept")
