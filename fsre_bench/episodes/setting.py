"""N-way K-shot settings: ``EpisodeSetting``, ``parse_setting("5-1")`` and the protocol defaults.

``n_query`` means, per protocol (PROTOCOLS.md):

* ``episodic`` (default sampler): queries *per relation* (FewRel toolkit Q); default 1.
* ``episodic`` with ``sampler="codalab"``: queries *per episode*; the official stream has 1.
* ``natural-nota``: queries *per episode* drawn from the natural distribution; default 3.

``na_rate`` is the share of NOTA queries (FewRel 2.0 reports 0.15 and 0.5), 0 <= na_rate < 1.
The default sampler realises it exactly over a stream: with m = na_rate * N * Q / (1 - na_rate)
(computed exactly from the decimal value), episode i gets floor((i+1)*m) - floor(i*m) NOTA
queries, so the first n episodes hold floor(n*m) NOTA and n*N*Q positive queries, a NOTA share
of na_rate up to one query. (The FewRel toolkit's integer ``--na_rate r`` adds r*Q NOTA queries
per episode, a share of r / (N + r); e.g. r = 5 with N = 5 is our 0.5.)
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from fractions import Fraction

from fsre_bench.errors import ConfigError
from fsre_bench.protocols import DEFAULT_QUERIES, PROTOCOLS, SAMPLERS, STANDARD_SETTINGS

__all__ = [
    "DEFAULT_QUERIES",
    "PROTOCOLS",
    "SAMPLERS",
    "STANDARD_SETTINGS",
    "EpisodeSetting",
    "kshot_setting_name",
    "nota_mean",
    "nota_per_episode",
    "parse_n_k",
    "parse_setting",
    "setting_label",
]
_SETTING_RE = re.compile(r"^(\d+)-(\d+)(?:-q(\d+))?(?:-na([0-9.]+))?$")
_LONG_RE = re.compile(r"^(\d+)-way-(\d+)-shot$")


@dataclass(frozen=True)
class EpisodeSetting:
    """N-way K-shot with Q queries (None = the protocol default) and a NOTA share."""

    n_way: int
    k_shot: int
    n_query: int | None = None
    na_rate: float = 0.0

    def __post_init__(self) -> None:
        if self.n_way < 1 or self.k_shot < 1:
            raise ConfigError(f"setting {self.name}: N and K must be at least 1")
        if self.n_query is not None and self.n_query < 1:
            raise ConfigError(f"setting {self.name}: the number of queries must be at least 1")
        if not 0.0 <= self.na_rate < 1.0:
            raise ConfigError(
                f"setting {self.name}: na_rate is the share of NOTA queries, 0 <= na_rate < 1 "
                f"(got {self.na_rate}; the FewRel toolkit's integer r is the share r/(N+r))"
            )

    @property
    def name(self) -> str:
        """``5-1``, plus ``-q3`` / ``-na0.15`` where they are set; ``parse_setting`` reads it back."""
        text = f"{self.n_way}-{self.k_shot}"
        if self.n_query is not None:
            text += f"-q{self.n_query}"
        if self.na_rate:
            text += f"-na{self.na_rate:g}"
        return text

    def with_queries(self, n_query: int) -> EpisodeSetting:
        """This setting with ``n_query`` queries."""
        return replace(self, n_query=n_query)

    def resolved(self, protocol: str, sampler: str = "default") -> EpisodeSetting:
        """This setting with ``n_query`` filled by the protocol default when it is None."""
        if self.n_query is not None:
            return self
        key = "codalab" if sampler == "codalab" else protocol
        return replace(self, n_query=DEFAULT_QUERIES.get(key, 1))


def kshot_setting_name(k: int) -> str:
    """``K=8``: how a K-shot setting is shown and named in results (``K8`` in paths)."""
    return f"K={k}"


def setting_label(n_way: int, k_shot: int, na_rate: float = 0.0) -> str:
    """How a setting is shown and filed: ``5-1``, or ``5-1-na0.15`` with NOTA queries."""
    return EpisodeSetting(int(n_way), int(k_shot), na_rate=float(na_rate or 0.0)).name


def parse_setting(text: str, n_query: int | None = None, na_rate: float | None = None) -> EpisodeSetting:
    """``"5-1"``, ``"5-way-1-shot"`` or ``"5-1-q3-na0.15"`` -> EpisodeSetting (arguments override)."""
    cleaned = text.strip().lower()
    match = _SETTING_RE.match(cleaned) or _LONG_RE.match(cleaned)
    if match is None:
        raise ConfigError(f"bad setting {text!r}: expected N-K such as 5-1 or 10-5 (optionally -qQ and -naR)")
    groups = [*match.groups(), None, None][:4]
    query = n_query if n_query is not None else (int(groups[2]) if groups[2] else None)
    rate = na_rate if na_rate is not None else (float(groups[3]) if groups[3] else 0.0)
    return EpisodeSetting(int(groups[0]), int(groups[1]), query, rate)


def parse_n_k(text: str) -> tuple[int, int]:
    """A run's setting name, plain ``N-K`` (queries and NOTA come from --n-query / --na-rate): (N, K)."""
    try:
        setting = parse_setting(text)
    except ConfigError:
        setting = None
    if setting is None or _LONG_RE.match(text.strip().lower()) or setting.n_query is not None or setting.na_rate:
        raise ConfigError(f"setting {text!r} is not N-K (e.g. 5-1, 10-5)")
    return setting.n_way, setting.k_shot


@functools.lru_cache(maxsize=64)
def nota_mean(setting: EpisodeSetting) -> Fraction:
    """m = na_rate * N * Q / (1 - na_rate), exact: the mean NOTA queries per episode."""
    share = Fraction(repr(setting.na_rate))
    return share * setting.n_way * (setting.n_query or 1) / (1 - share)


def nota_per_episode(setting: EpisodeSetting, index: int) -> int:
    """NOTA queries in episode ``index`` of the default sampler: floor((i+1)m) - floor(im)."""
    if not setting.na_rate:
        return 0
    mean = nota_mean(setting)
    p, q = mean.numerator, mean.denominator  # integer floors: exact and fast
    return (index + 1) * p // q - index * p // q
