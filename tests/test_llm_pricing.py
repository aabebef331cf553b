"""Cost estimates: an override, an exact model id or a dated snapshot of one; otherwise no estimate, never a guess."""

from __future__ import annotations

import pytest

from fsre_bench.llm.pricing import PRICE_PER_MTOK, estimate_cost_usd, price_for


def test_exact_ids_and_dated_snapshots_have_their_familys_price() -> None:
    assert price_for("gpt-4o") == PRICE_PER_MTOK["gpt-4o"] == (2.50, 10.00)
    assert price_for("gpt-4o-mini-2024-07-18") == PRICE_PER_MTOK["gpt-4o-mini"]  # not gpt-4o's
    assert price_for("gpt-4.1-nano-2025-04-14") == PRICE_PER_MTOK["gpt-4.1-nano"]


@pytest.mark.parametrize("model", ["SmolLM2-135M", "gpt-4o-audio-preview", "gpt-4", "my-gpt-4o"])
def test_a_model_without_an_entry_gets_no_estimate(model: str) -> None:
    assert price_for(model) is None
    assert estimate_cost_usd(1000, 1000, price_for(model)) is None


def test_an_override_wins_and_the_estimate_is_per_million_tokens() -> None:
    assert price_for("SmolLM2-135M", (1.0, 2.0)) == (1.0, 2.0)
    assert price_for("gpt-4o", (0.0, 0.0)) == (0.0, 0.0)
    assert estimate_cost_usd(2_000_000, 500_000, (2.50, 10.00)) == 10.0
    assert estimate_cost_usd(3, 1, (0.15, 0.60)) == 0.000001  # rounded to a millionth of a dollar
