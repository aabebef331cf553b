"""One run configuration, filled from the CLI or a YAML file and validated in one place."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from fsre_bench.bounded_read import read_bounded_text
from fsre_bench.episodes.seeding import check_seed
from fsre_bench.episodes.setting import kshot_setting_name, parse_n_k
from fsre_bench.errors import ConfigError
from fsre_bench.numerics import NUMERICS_MODES
from fsre_bench.protocols import KSHOT_SEEDS, PROTOCOLS, SAMPLERS
from fsre_bench.strict_yaml import load_yaml_strict

LEAKAGE_POLICIES = ("refuse", "drop", "allow")  # fsre_bench.runner.training_data applies them

OVERWRITE_MODES = ("never", "only-missing", "always")


# A user's own runs never land in the committed results/ (a contributor adds there on purpose with
# --output-dir results): reusing those would print committed numbers as if computed here.
USER_OUTPUT_DIR = "fsre-results"


@dataclass
class RunConfig:
    methods: list[str]
    dataset: str
    protocol: str = "episodic"
    settings: list[str] = field(default_factory=lambda: ["5-1"])  # episodic / natural-nota: "N-K"
    k_values: list[int] = field(default_factory=lambda: [8, 16, 32])  # kshot
    n_query: int | None = None  # per relation (episodic) or per episode (natural-nota); None = protocol default
    na_rate: float = 0.0
    episodes: int = 1000
    seeds: list[int] | None = None  # None = [0] (episodic) or the five standard K-shot seeds
    sampler: str = "default"
    episodes_file: str | None = None
    episodes_sha256: str | None = None  # pin: refuse an episode file whose bytes changed
    train: str | None = None
    # Sentences of --train identical to evaluation sentences: refuse (default), drop them, or allow (marked).
    train_leakage: str = "refuse"
    data_dir: str | None = None
    output_dir: str = USER_OUTPUT_DIR
    overwrite: str = "only-missing"
    limit: int | None = None
    encoder: str | None = None
    device: str = "auto"  # resolved in __post_init__: results and cache keys see "cpu" or "cuda[:N]"
    batch_size: int | None = None  # None: by device (fsre_bench.devices.default_batch_size)
    n_bootstrap: int = 1000
    allow_mixed_provenance: bool = False  # assemble seeds of different harness states, marked mixed
    # Fit one model per (seed, setting) instead of one per seed shared by every setting (issue 29: 5-5 on the
    # 5-1 encoders is one set of models, not a replication). Off: hashes and results exactly as before.
    fit_per_setting: bool = False
    # A run whose share of queries with a failed LLM request is above this exits 2 (its result records them).
    max_failure_share: float = 0.2
    numerics: str = "portable"  # fsre_bench/numerics.py: portable CPU kernels, or the machine's native ones
    method_options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from fsre_bench.devices import default_batch_size, resolve_device

        self.device = resolve_device(self.device)
        if self.batch_size is None:
            self.batch_size = default_batch_size(self.device)
        self.validate()

    # --------------------------------------------------------------- derived
    @property
    def effective_seeds(self) -> list[int]:
        if self.seeds:
            return list(self.seeds)
        return list(KSHOT_SEEDS) if self.protocol == "kshot" else [0]

    @property
    def setting_names(self) -> list[str]:
        return [kshot_setting_name(k) for k in self.k_values] if self.protocol == "kshot" else list(self.settings)

    # --------------------------------------------------------------- validation
    def validate(self) -> None:
        if not self.methods:
            raise ConfigError("no methods given (--methods proto,random)")
        _one_of("protocol", self.protocol, PROTOCOLS)
        _one_of("overwrite", self.overwrite, OVERWRITE_MODES)
        _one_of("sampler", self.sampler, SAMPLERS)
        _one_of("train_leakage", self.train_leakage, LEAKAGE_POLICIES)
        _one_of("numerics", self.numerics, NUMERICS_MODES)
        _no_repeats("methods", self.methods)
        if self.protocol != "kshot":
            if not self.settings:
                raise ConfigError("--settings gives no setting (e.g. --settings 5-1,10-5)")
            for setting in self.settings:
                parse_n_k(setting)
            _no_repeats("settings", [f"{n}-{k}" for n, k in map(parse_n_k, self.settings)])
        else:
            _no_repeats("k", self.k_values)
        if self.seeds is not None:
            if not self.seeds:
                raise ConfigError("--seeds gives no seed (e.g. --seeds 0,1,2)")
            _no_repeats("seeds", self.seeds)
            for seed in self.seeds:
                check_seed(seed)
        if self.protocol == "kshot" and (not self.k_values or any(k < 1 for k in self.k_values)):
            raise ConfigError(f"--k needs positive integers, got {self.k_values}")
        if self.episodes < 1:
            raise ConfigError(f"--episodes must be >= 1, got {self.episodes}")
        if self.limit is not None and self.limit < 1:
            raise ConfigError(f"--limit must be >= 1, got {self.limit}")
        if not 0.0 <= self.na_rate < 1.0:
            raise ConfigError(f"--na-rate is the share of NOTA queries, 0 <= rate < 1 (e.g. 0.15, 0.5); got {self.na_rate}")
        if self.n_query is not None and self.n_query < 1:
            raise ConfigError(f"--n-query must be >= 1, got {self.n_query}")
        if self.sampler == "codalab" and (self.protocol != "episodic" or self.na_rate):
            raise ConfigError("--sampler codalab reproduces the official FewRel 1.0 stream: episodic protocol, no NOTA")
        if isinstance(self.batch_size, bool) or not isinstance(self.batch_size, int) or self.batch_size < 1:
            raise ConfigError(f"--batch-size must be an integer >= 1, got {self.batch_size!r}")
        if not 0.0 <= self.max_failure_share <= 1.0:
            raise ConfigError(f"--max-failure-share is a share of queries, 0 to 1; got {self.max_failure_share}")
        if self.n_bootstrap < 100:
            raise ConfigError(f"--n-bootstrap must be >= 100, got {self.n_bootstrap}")

    # --------------------------------------------------------------- (de)serialisation
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; objects in method_options (an LLM config) contribute their own to_dict()."""
        data = asdict(self) | {"method_options": _plain(self.method_options)}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "config") -> RunConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"{source}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        from fsre_bench.runner.config_types import checked_settings

        try:
            return cls(**checked_settings(data, source))
        except TypeError as exc:
            raise ConfigError(f"{source}: {exc}") from None

    @classmethod
    def from_yaml(cls, path: str | Path, overrides: dict[str, Any] | None = None) -> RunConfig:
        import yaml

        try:
            data = load_yaml_strict(read_bounded_text(path, "config")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ConfigError(f"{path}: cannot read YAML config ({str(exc).splitlines()[0]})") from None
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: a run config must be a mapping of setting: value")
        return cls.from_dict({**data, **(overrides or {})}, source=str(path))


def _no_repeats(name: str, values: list[Any]) -> None:
    """A repeated seed would count its episodes twice (and shrink the std); a repeated setting runs twice."""
    seen: set[Any] = set()
    for value in values:
        if value in seen:
            raise ConfigError(f"--{name} lists {value!r} twice; give each once")
        seen.add(value)


def _one_of(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"--{name} {value!r} is not one of: {', '.join(allowed)}")


def _plain(value: Any) -> Any:
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
