"""List prices for an estimated cost; a model without an entry gets no estimate (None), never a guess."""

from __future__ import annotations

# USD per 1M tokens (input, output), OpenAI list prices as published in 2025. Override per run
# with `llm.price_per_mtok: [input, output]` in the YAML config.
PRICE_PER_MTOK: dict[str, tuple[float, float]] = {
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-3.5-turbo": (0.50, 1.50),
}


def price_for(model: str, override: tuple[float, float] | None = None) -> tuple[float, float] | None:
    """(input, output) USD per 1M tokens: the override, the exact id, or the id without a date suffix."""
    if override is not None:
        return override
    if model in PRICE_PER_MTOK:
        return PRICE_PER_MTOK[model]
    # Dated snapshots ("gpt-4o-mini-2024-07-18") cost what their family costs.
    for name in sorted(PRICE_PER_MTOK, key=len, reverse=True):
        suffix = model[len(name):]
        if model.startswith(name) and suffix[:1] == "-" and suffix[1:5].isdigit():
            return PRICE_PER_MTOK[name]
    return None


def estimate_cost_usd(prompt_tokens: int, completion_tokens: int, price: tuple[float, float] | None) -> float | None:
    if price is None:
        return None
    return round((prompt_tokens * price[0] + completion_tokens * price[1]) / 1_000_000, 6)
