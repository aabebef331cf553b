"""What every chosen method needs from the run, checked for all of them before the first unit starts.

A resolved method (``fsre_bench.methods.resolved``) says what it requires: training relations
(``--train``, or the benchmark's own default) and an LLM endpoint. A requirement this run cannot meet,
where that is knowable without work (no training relations, a remote endpoint without its API key),
fails the whole run with one line naming the methods and the requirement, so no method writes a result
of a run that cannot finish.
"""

from __future__ import annotations

from collections.abc import Sequence

from fsre_bench.errors import ConfigError
from fsre_bench.methods.resolved import ResolvedMethod
from fsre_bench.runner.config import RunConfig
from fsre_bench.runner.training_data import missing_training_relations


def check_requirements(config: RunConfig, methods: Sequence[ResolvedMethod]) -> None:
    """One ConfigError naming every requirement some chosen method has and this run cannot meet."""
    problems = [problem for problem in (missing_training_relations(config, methods), _missing_llm(config, methods))
                if problem]
    if problems:
        raise ConfigError("; ".join(problems))


def _missing_llm(config: RunConfig, methods: Sequence[ResolvedMethod]) -> str | None:
    """The LLM methods' endpoint, where its lack is knowable offline: a remote one whose API key is not set.

    (``--llm vllm`` without a GPU is refused earlier, by ``check_vllm_requested``; the local server's own
    start is not tried here, since a method may find all it needs in its caches.)
    """
    needing = [m.name for m in methods if m.requires_llm]
    if not needing:
        return None
    from fsre_bench.llm.config import llm_config_from_options

    llm = llm_config_from_options(config.method_options.get("llm"))
    if llm.mode != "remote":
        return None
    from fsre_bench.llm.connect import missing_api_key

    missing = missing_api_key(llm)
    return f"{', '.join(needing)} need{'s' if len(needing) == 1 else ''} an LLM: {missing}" if missing else None
