"""One run configuration, filled from the CLI or a YAML file and validated in one place."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from fsre_bench.bounded_read import read_bounded_text
from fsre_bench.devices import AUTO
from fsre_bench.episodes.seeding import check_seed
from fsre_bench.episodes.setting import kshot_setting_name, parse_n_k
from fsre_bench.errors import ConfigError
from fsre_bench.numerics import NUMERICS_MODES, PORTABLE
from fsre_bench.protocols import KSHOT_SEEDS, PROTOCOLS, SAMPLERS
from fsre_bench.runner.config_types import checked_settings, declared_settings, setting
from fsre_bench.strict_yaml import load_yaml_strict

LEAKAGE_POLICIES = ("refuse", "drop", "allow")  # fsre_bench.runner.training_data applies them

OVERWRITE_MODES = ("never", "only-missing", "always")


# A user's own runs never land in the committed results/ (a contributor adds there on purpose with
# --output-dir results): reusing those would print committed numbers as if computed here.
USER_OUTPUT_DIR = "fsre-results"


@dataclass
class RunConfig:
    """Every run setting, each declared once with its flag, help and kind (fsre_bench/runner/config_types.py)."""

    methods: list[str] = setting("str_list", "comma-separated method names (`fsre-bench ls methods`)")
    dataset: str = setting("str", "dataset name (`fsre-bench ls datasets`) or a FewRel/TACRED/OpenNRE file path "
                           "(kshot: a group, e.g. semeval2010)")
    protocol: str = setting("str", choices=PROTOCOLS, default="episodic")
    settings: list[str] = setting("str_list", "episodic N-K settings, e.g. 5-1,5-5,10-1,10-5 (default {default})",
                                  default_factory=lambda: ["5-1"])  # episodic / natural-nota: "N-K"
    k_values: list[int] = setting("int_list", "K-shot protocol: shots per label (default {default})", flag="--k",
                                  default_factory=lambda: [8, 16, 32])  # kshot
    episodes: int = setting("int", "episodes per setting and seed (default {default})", minimum=1, default=1000)
    seeds: list[int] | None = setting("int_list", "comma-separated seeds (default 0; K-shot: 13,21,42,87,100)",
                                      default=None)  # None = [0] (episodic) or the five standard K-shot seeds
    # per relation (episodic) or per episode (natural-nota); None = protocol default
    n_query: int | None = setting("int", "queries per relation (episodic, default 1) or per episode (natural-nota, "
                                  "default 3; codalab: exactly 1)", minimum=1, default=None)
    na_rate: float = setting("number", "FewRel 2.0 NOTA: share of NOTA queries, e.g. 0.15 or 0.5", default=0.0)
    sampler: str = setting("str", "episode sampler (codalab = official FewRel stream)", choices=SAMPLERS,
                           default="default")
    episodes_file: str | None = setting("str", "the episodes of this file (from `episodes build` or `episodes "
                                        "official`) instead of sampled ones", default=None)
    # pin: refuse an episode file whose bytes changed
    episodes_sha256: str | None = setting("str", "refuse the --episodes-file unless its sha256 is this", default=None)
    train: str | None = setting("str", "training relations for methods that fit or calibrate (default on a FewRel "
                                "split: FewRel's own, fewrel/train_wiki or else fewrel/train_offline; "
                                "cross-domain: semeval2010/train)", default=None)
    train_leakage: str = setting("str", "--train sentences identical to evaluation sentences: refuse the run (default), "
                                 "drop them, or allow them (the result records it)", choices=LEAKAGE_POLICIES,
                                 default="refuse")
    data_dir: str | None = setting("str", "data directory (default $FSRE_BENCH_DATA_DIR or ~/.cache/fsre_bench/data)",
                                   default=None)
    output_dir: str = setting("str", "where result files go (default ./fsre-results; the committed leaderboard's are "
                              "under results/)", default=USER_OUTPUT_DIR)
    overwrite: str = setting("str", "never: skip anything that exists; only-missing (default): reuse complete, resume "
                             "partial; always: recompute", choices=OVERWRITE_MODES, default="only-missing")
    limit: int | None = setting("int", "evaluate only the first N episodes (NOT for reporting; marked limited)",
                                minimum=1, default=None)
    encoder: str | None = setting("str", "encoder name or path (default: the embedded all-MiniLM-L6-v2)", default=None)
    # "auto" until run() resolves it (on_this_machine): results and cache keys see "cpu" or "cuda[:N]"
    device: str = setting("str", "auto | cpu | cuda | cuda:0 ... (default auto: CUDA when available, else CPU; "
                          "bf16 autocast on CUDA)", default=AUTO)
    # None: by device (fsre_bench.devices.default_batch_size), filled with the device
    batch_size: int | None = setting("int", "encoder batch size (default 64 on CPU, by GPU memory on CUDA)",
                                     default=None)
    n_bootstrap: int = setting("int", "bootstrap replicates for CIs (default {default})", minimum=100, default=1000)
    allow_mixed_provenance: bool = setting("switch", "assemble a result from seeds predicted at different harness "
                                           "states (marked mixed)", default=False)
    # Fit one model per (seed, setting) instead of one per seed shared by every setting (issue 29: 5-5 on the
    # 5-1 encoders is one set of models, not a replication). Off: hashes and results exactly as before.
    fit_per_setting: bool = setting("switch", "train one model per (seed, setting), not one per seed shared by all "
                                    "settings", default=False)
    # A run whose share of queries with a failed LLM request is above this exits 2 (its result records them).
    max_failure_share: float = setting("number", "exit 2 when more than this share of queries' LLM requests failed "
                                       "(default {default})", default=0.2)
    # fsre_bench/numerics.py: portable CPU kernels, or the machine's native ones
    numerics: str = setting("str", "portable (default): CPU kernels capped at AVX2 and one thread, the same bytes on "
                            "any x86-64 machine; native: this CPU's fastest kernels (results may differ elsewhere)",
                            choices=NUMERICS_MODES, default=PORTABLE)
    # filled by each method's own flags (fsre_bench/cli/method_flags.py), not a flag of its own
    method_options: dict[str, Any] = setting("mapping", flag=None, default_factory=dict)

    def __post_init__(self) -> None:
        self.validate()

    def on_this_machine(self) -> RunConfig:
        """This config with ``auto`` resolved to a device here (probed, one line if absent) and its batch size.

        The one device probe of a run, made by run() (and `score`) before any work: with every embedding cached
        the encoder never touches the device, so an absent one would otherwise be recorded as if used.
        """
        from fsre_bench.devices import default_batch_size, resolve_device

        device = resolve_device(self.device)
        return replace(self, device=device,
                       batch_size=default_batch_size(device) if self.batch_size is None else self.batch_size)

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
        for f, info in declared_settings(type(self)):  # what each field's declaration says: choices, bounds
            value = getattr(self, f.name)
            if info.choices is not None:
                _one_of(f.name, value, info.choices)
            if info.minimum is not None and value is not None and value < info.minimum:
                raise ConfigError(f"{info.flag} must be >= {info.minimum}, got {value}")
        _no_repeats("methods", self.methods)
        if self.protocol != "kshot":
            if not self.settings:
                raise ConfigError("--settings gives no setting (e.g. --settings 5-1,10-5)")
            for setting_name in self.settings:
                parse_n_k(setting_name)
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
        if not 0.0 <= self.na_rate < 1.0:
            raise ConfigError(f"--na-rate is the share of NOTA queries, 0 <= rate < 1 (e.g. 0.15, 0.5); got {self.na_rate}")
        if self.sampler == "codalab" and (self.protocol != "episodic" or self.na_rate):
            raise ConfigError("--sampler codalab reproduces the official FewRel 1.0 stream: episodic protocol, no NOTA")
        if self.batch_size is not None and (isinstance(self.batch_size, bool) or not isinstance(self.batch_size, int)
                                            or self.batch_size < 1):
            raise ConfigError(f"--batch-size must be an integer >= 1, got {self.batch_size!r}")
        if not 0.0 <= self.max_failure_share <= 1.0:
            raise ConfigError(f"--max-failure-share is a share of queries, 0 to 1; got {self.max_failure_share}")

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
        try:
            return cls(**checked_settings(cls, data, source))
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
