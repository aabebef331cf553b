"""Every random draw of pre-training comes from a generator seeded by (seed, stage, epoch, purpose)."""

from __future__ import annotations

import hashlib

import torch


def derived_seed(seed: int, *parts: object) -> int:
    """A 63-bit seed derived from ``seed`` and labels, so streams never overlap or shift each other."""
    text = ":".join(str(p) for p in (seed, *parts))
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big") >> 1


def generator_for(seed: int, *parts: object) -> torch.Generator:
    """A CPU generator for one purpose of one epoch (masking, shuffling, irrelevant spans)."""
    gen = torch.Generator(device="cpu")
    gen.manual_seed(derived_seed(seed, *parts))
    return gen
