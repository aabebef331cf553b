"""What a result file says about itself beyond its scores: flags, provenance states, side information.

Results written before these fields existed still load: their per-seed provenance is ``unknown``
(which makes them ``mixed``: nothing shows their seeds came from one harness state), and their
degenerate flag and side information are ``None`` (not computed), never guessed.
"""

from __future__ import annotations

from typing import Any

UNKNOWN_STATE = "unknown"  # a seed predicted before per-seed provenance was recorded


def harness_state(harness: dict[str, Any] | None) -> str:
    """``0.1.0 git 82e453d5`` (``+dirty``), or ``unknown`` when nothing was recorded."""
    if not harness or not harness.get("version"):
        return UNKNOWN_STATE
    git = (harness.get("git_hash") or "")[:8]
    return f"{harness['version']}" + (f" git {git}" if git else "") + ("+dirty" if harness.get("git_dirty") else "")


def provenance_states(result: dict[str, Any]) -> list[str]:
    """The harness states the result's seeds (and the fitted models they reused) came from."""
    return list((result.get("provenance") or {}).get("states") or [UNKNOWN_STATE])


def is_mixed(result: dict[str, Any]) -> bool:
    """Not one known harness state: seeds of different states, or of unrecorded ones."""
    states = provenance_states(result)
    return len(states) > 1 or UNKNOWN_STATE in states


def is_dirty(result: dict[str, Any]) -> bool:
    return any(state.endswith("+dirty") for state in provenance_states(result))


def degenerate(result: dict[str, Any]) -> dict[str, Any] | None:
    return (result.get("flags") or {}).get("degenerate")


def training_variance_measured(result: dict[str, Any]) -> bool:
    flags = result.get("flags") or {}
    if "training_variance_measured" in flags:
        return bool(flags["training_variance_measured"])
    return result["method"]["type"] != "trained" or len(result["seeds"]) > 1


def side_information(result: dict[str, Any]) -> str | None:
    return result["method"].get("side_information")


def assembled_by(result: dict[str, Any]) -> str:
    """The harness state that computed the statistics (it may differ from the states that predicted)."""
    return harness_state(result.get("harness"))


def training_splits(result: dict[str, Any]) -> list[str]:
    """What each seed trained on, in seed order (K-shot: one split per seed); [] for untrained methods."""
    if not result["method"]["training_relations"]:
        return []
    recorded = [row.get("training_data") for row in result["per_seed"]]
    if all(recorded):
        return list(dict.fromkeys(recorded))
    if result["protocol"] == "kshot":  # written before per-seed training data: one split per seed
        k = result["setting"].get("k_shot")
        return [f"kshot:kshot-k{k}-s{seed}" for seed in result["seeds"]]
    return [result["method"]["training_data"] or "unnamed"]
