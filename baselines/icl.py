"""``icl``: an LLM labels each query from the episode's relations and support demonstrations.

All queries of all episodes stream through one ``LLMClient.map`` (bounded in flight, cached),
and predictions come back per episode in input order as soon as an episode's replies are in.
"""

from __future__ import annotations

import collections
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from baselines.icl_demos import Demo, NearestDemoRetriever, episode_demos
from baselines.icl_parse import parse_answer, split_batch_reply
from baselines.icl_prompts import (
    ANSWER_TOKENS,
    PROMPT_VERSION,
    SYSTEM_PROMPT,
    Option,
    batch_answer_tokens,
    batch_query_prompt,
    build_options,
    demo_block,
    estimate_tokens,
    relabel_options,
    single_query_prompt,
)
from baselines.specs import ICL, ICL_PERMUTATIONS
from fsre_bench.errors import ConfigError
from fsre_bench.llm.config import LOCAL_MODEL_ALIAS, LLMConfig, llm_config_from_options
from fsre_bench.methods.interface import MethodConfig
from fsre_bench.methods.options import options_dataclass
from fsre_bench.types import (
    NOTA,
    UNPARSED,  # failed requests also count in ``EpisodePrediction.failures``
    Dataset,
    Episode,
    EpisodeData,
    EpisodePrediction,
    MethodMeta,
    RelationInstance,
)

BATCH_MAX_QUERIES = 20  # --icl-batch-queries splits larger query sets into requests of this size
KSHOT_QUERY_CHUNK = 256  # K-shot RC: query embeddings computed this many at a time


@dataclass(frozen=True, kw_only=True)
class ICLOptions:
    """The ``icl_<field>`` options; their defaults are the ICL spec's declarations (baselines/specs.py)."""

    batch_queries: bool  # all queries of an episode in one request
    max_demos: int | None  # None: every demonstration within the token budget
    token_budget: int  # estimated prompt tokens per request (the default fits the local 4096-token context)
    permutations: str  # "cyclic": one request per rotation of the option order, majority vote


@dataclass
class _Job:
    """One request: which queries of which episode it answers, and how to read the reply."""

    episode_index: int
    positions: list[int]
    prompt: str
    options: list[Option]
    n_demos: int
    batched: bool
    request: Any = None  # the ChatRequest, built when the job is sent
    rotation: int = 0  # --icl-permutations cyclic: how far the option order was rotated


@dataclass
class _EpisodeState:
    episode: Episode
    labels: list[str]
    details: list[dict[str, Any]]
    volatile: list[dict[str, Any]]
    remaining: int
    planned: bool = False
    failures: int = 0
    votes: dict[int, list[str]] = field(default_factory=dict)  # position -> label per rotation (permutations)


class ICLMethod:
    """In-context LLM baseline through any OpenAI-compatible endpoint (default: local SmolLM2)."""

    name = "icl"

    def __init__(self, config: MethodConfig) -> None:
        self.config = config
        self.llm_config = llm_config_from_options(config.option("llm"))
        given = options_dataclass(ICLOptions, config.options, "icl_", ICL.options, what="ICL ")
        self.batch_queries = bool(given.batch_queries)
        self.max_demos = _optional_positive_int(given.max_demos, "icl_max_demos", allow_zero=True)
        self.token_budget = _optional_positive_int(given.token_budget, "icl_token_budget")
        self.permutations = given.permutations
        if self.permutations not in ICL_PERMUTATIONS:
            raise ConfigError(f"icl_permutations={self.permutations!r}: use one of {', '.join(ICL_PERMUTATIONS)}")
        if self.permutations == "cyclic" and self.batch_queries:
            raise ConfigError("icl_permutations=cyclic asks once per query and rotation; it cannot be combined "
                              "with icl_batch_queries")
        self.client: Any = None
        self._encoder: Any = None

    @property
    def meta(self) -> MethodMeta:
        model = self.client.endpoint.model if self.client is not None else (self.llm_config.model or _default_model(self.llm_config))
        return MethodMeta(
            name=self.name,
            type="icl",
            backbone=model,
            parameters=135_000_000 if self.llm_config.mode == "local" and not self.llm_config.gguf else None,
            knowledge_source=None,  # TKRE's field (LLM-made training knowledge); icl uses the LLM directly
            description="in-context LLM: lettered relation options, K support demonstrations per relation",
            extra={
                "llm": self.llm_config.to_dict(),
                "prompt_version": PROMPT_VERSION,
                "batch_queries": self.batch_queries,
                "max_demos": self.max_demos,
                "token_budget": self.token_budget,
                "permutations": self.permutations,
            },
        )

    def fit(self, train: Dataset | None) -> None:
        """Preflight: start the local server or check key, reachability and model (one-line LLMError)."""
        if self.client is None:
            from fsre_bench.llm.connect import open_llm

            self.client = open_llm(self.llm_config)

    def predict(self, episodes: Sequence[Episode], data: EpisodeData) -> Iterator[EpisodePrediction]:
        self.fit(None)
        states: dict[int, _EpisodeState] = {}
        pending: collections.deque[_Job] = collections.deque()

        def requests() -> Iterator[Any]:
            for job in self._jobs(episodes, data, states):
                job.request = self._request(job)
                pending.append(job)
                yield job.request

        next_out = 0
        for result in self.client.map(requests()):
            job = pending.popleft()
            self._record(states[job.episode_index], job, result)
            next_out = yield from self._emit_ready(states, next_out)
        for state in states.values():
            state.planned = True
        yield from self._emit_ready(states, next_out)

    def llm_usage(self) -> dict[str, Any]:
        """Calls, cache hits, failures, tokens, wall time, est. cost, model and base URL (no key)."""
        if self.client is None:
            return {"calls": 0, "cache_hits": 0, "failures": 0, "prompt_tokens": 0, "completion_tokens": 0,
                    "wall_s": 0.0, "est_cost_usd": None, "model": self.llm_config.model, "base_url": None}
        return self.client.usage_dict()

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self._encoder is not None and hasattr(self._encoder, "close"):
            self._encoder.close()
            self._encoder = None

    # --- planning ---------------------------------------------------------------------------

    def _jobs(self, episodes: Sequence[Episode], data: EpisodeData, states: dict[int, _EpisodeState]) -> Iterator[_Job]:
        for index, episode in enumerate(episodes):
            n = len(episode.queries)
            jobs_per_query = self._rotations(episode) if self.permutations == "cyclic" else 1
            states[index] = _EpisodeState(episode, [""] * n, [{} for _ in range(n)], [{} for _ in range(n)],
                                          n * jobs_per_query)
            options = build_options(episode.relations, data.relations, data.has_nota)
            if data.protocol == "kshot":
                yield from self._kshot_jobs(index, episode, data, options)
            else:
                yield from self._episode_jobs(index, episode, data, options)
            states[index].planned = True

    def _episode_jobs(self, index: int, episode: Episode, data: EpisodeData, options: list[Option]) -> Iterator[_Job]:
        queries = data.get(episode.queries)
        option_of = {o.relation: o for o in options}
        # Budget against the longest query so every query of the episode shows the same demos.
        if not queries:
            fixed = 0
        elif self.batch_queries:
            by_length = sorted(queries, key=lambda q: len(q.text), reverse=True)
            fixed = estimate_tokens(batch_query_prompt(options, "", by_length[:BATCH_MAX_QUERIES]))
        else:
            fixed = estimate_tokens(single_query_prompt(options, "", max(queries, key=lambda q: len(q.text))))
        demos = episode_demos(episode, data, option_of, self.config.seed, self.max_demos, self.token_budget, fixed)
        yield from self._query_jobs(index, queries, range(len(queries)), options, demos)

    def _kshot_jobs(self, index: int, episode: Episode, data: EpisodeData, options: list[Option]) -> Iterator[_Job]:
        option_of = {o.relation: o for o in options}
        supports: list[Demo] = [
            (inst, option_of[rel]) for rel, ids in zip(episode.relations, episode.support, strict=True)
            for inst in data.get(ids)
        ]
        retriever = NearestDemoRetriever(supports, self._get_encoder())
        step = BATCH_MAX_QUERIES if self.batch_queries else 1
        for start in range(0, len(episode.queries), KSHOT_QUERY_CHUNK):
            queries = data.get(episode.queries[start:start + KSHOT_QUERY_CHUNK])
            vectors = retriever.embed(queries)
            for offset in range(0, len(queries), step):
                group = queries[offset:offset + step]
                centroid = vectors[offset:offset + step].mean(axis=0)
                fixed = estimate_tokens(batch_query_prompt(options, "", group) if self.batch_queries
                                        else single_query_prompt(options, "", group[0]))
                demos = retriever.nearest(centroid / (np.linalg.norm(centroid) or 1.0), self.max_demos,
                                          self.token_budget, fixed)
                positions = range(start + offset, start + offset + len(group))
                yield from self._query_jobs(index, group, positions, options, demos)

    def _query_jobs(self, index: int, queries: Sequence[RelationInstance], positions: Sequence[int],
                    options: list[Option], demos: list[Demo]) -> Iterator[_Job]:
        demos_text = demo_block(demos)
        positions = list(positions)
        if self.permutations == "cyclic":
            yield from self._rotated_jobs(index, queries, positions, options, demos)
            return
        if not self.batch_queries:
            for position, query in zip(positions, queries, strict=True):
                yield _Job(index, [position], single_query_prompt(options, demos_text, query), options, len(demos), False)
            return
        for start in range(0, len(queries), BATCH_MAX_QUERIES):
            group = list(queries[start:start + BATCH_MAX_QUERIES])
            prompt = batch_query_prompt(options, demos_text, group)
            yield _Job(index, positions[start:start + len(group)], prompt, options, len(demos), True)

    @staticmethod
    def _rotations(episode: Episode) -> int:
        return max(1, len(episode.relations))

    def _rotated_jobs(self, index: int, queries: Sequence[RelationInstance], positions: Sequence[int],
                      options: list[Option], demos: list[Demo]) -> Iterator[_Job]:
        """Each query once per cyclic rotation of the relation options (NOTA stays last), demos relettered.

        The cost is N calls per query for N relations; a model that always answers one letter then
        votes once for every relation, so its position bias no longer decides the answer.
        """
        relations = [o.relation for o in options if o.relation != NOTA]
        nota = [o for o in options if o.relation == NOTA]
        for rotation in range(len(relations)):
            order = relations[rotation:] + relations[:rotation]
            rotated = relabel_options([next(o for o in options if o.relation == r) for r in order] + nota)
            by_relation = {o.relation: o for o in rotated}
            demos_text = demo_block([(inst, by_relation[option.relation]) for inst, option in demos])
            for position, query in zip(positions, queries, strict=True):
                yield _Job(index, [position], single_query_prompt(rotated, demos_text, query), rotated, len(demos),
                           False, rotation=rotation)

    def _request(self, job: _Job) -> Any:
        from fsre_bench.llm.client import ChatRequest

        max_tokens = batch_answer_tokens(len(job.positions)) if job.batched else ANSWER_TOKENS
        messages = ({"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": job.prompt})
        return ChatRequest(messages=messages, max_tokens=max_tokens)

    def _get_encoder(self) -> Any:
        if self._encoder is None:
            from fsre_bench.encoders import load_encoder

            self._encoder = load_encoder(self.config.encoder, device=self.config.device)
        return self._encoder

    # --- reading replies --------------------------------------------------------------------

    def _record(self, state: _EpisodeState, job: _Job, result: Any) -> None:
        request_hash = job.request.prompt_hash
        answers: list[str | None]
        if not result.ok:
            answers = [None] * len(job.positions)
        elif job.batched:
            answers = split_batch_reply(result.text, len(job.positions))
            if len(job.positions) == 1 and answers[0] is None:
                answers = [result.text]
        else:
            answers = [result.text]
        for slot, (position, answer) in enumerate(zip(job.positions, answers, strict=True)):
            parsed = parse_answer(answer, job.options) if result.ok else None
            label = parsed if parsed is not None else UNPARSED
            detail: dict[str, Any] = {
                "prompt_hash": request_hash, "response": result.text, "parsed": parsed, "parse_ok": parsed is not None,
                "prompt_tokens": result.prompt_tokens, "completion_tokens": result.completion_tokens,
                "n_demos": job.n_demos,
            }
            if job.batched:
                detail.update(batch_size=len(job.positions), batch_slot=slot)
            if not result.ok:
                detail["error"] = result.error
                state.failures += 1
            if self.permutations == "cyclic":
                label, detail = self._vote(state, position, label, detail, job.rotation)
                if label is None:
                    continue
            state.labels[position] = label
            state.details[position] = detail
            state.volatile[position] = {"latency_s": round(result.latency_s, 4), "cached": result.cached}
        state.remaining -= len(job.positions)

    def _vote(self, state: _EpisodeState, position: int, label: str, detail: dict[str, Any],
              rotation: int) -> tuple[str | None, dict[str, Any]]:
        """Collect one rotation's answer; after the last, the majority (ties: a seeded draw among them)."""
        votes = state.votes.setdefault(position, [""] * self._rotations(state.episode))
        votes[rotation] = label
        if rotation == 0:
            state.details[position] = detail
        if "" in votes:
            return None, detail
        counts = collections.Counter(v for v in votes if v != UNPARSED)
        if not counts:
            return UNPARSED, {**state.details[position], "votes": votes}
        best = max(counts.values())
        tied = sorted(label for label, n in counts.items() if n == best)
        chosen = tied[0] if len(tied) == 1 else random.Random(f"{self.config.seed}:{state.episode.id}:{position}").choice(tied)
        return chosen, {**state.details[position], "votes": votes, "tied": len(tied) > 1}

    def _emit_ready(self, states: dict[int, _EpisodeState], next_out: int) -> Iterator[EpisodePrediction]:
        while next_out in states and states[next_out].planned and states[next_out].remaining == 0:
            state = states.pop(next_out)
            yield EpisodePrediction(state.episode.id, tuple(state.labels), state.details, state.volatile, state.failures)
            next_out += 1
        return next_out


def _default_model(config: LLMConfig) -> str:
    return LOCAL_MODEL_ALIAS if config.mode == "local" else "(the endpoint's only model)"


def _optional_positive_int(value: Any, name: str, allow_zero: bool = False) -> int | None:
    if value is None:
        return None
    low = 0 if allow_zero else 1
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigError(f"--{name.replace('_', '-')} {value!r} must be an integer >= {low}")
    return value
