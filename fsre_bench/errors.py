"""The one error type users see: a single line, exit code 2, no traceback."""

from __future__ import annotations


class FsreError(Exception):
    """A user-facing error. The CLI prints ``error: <message>`` and exits with code 2.

    Messages name the file, record or setting at fault and, where there is one, the fix.
    """

    exit_code = 2
    stops_run = False  # True: every later unit would fail the same way, so the runner stops at once


class DataError(FsreError):
    """A dataset or episode file is missing, malformed, or does not match what was asked."""


class ConfigError(FsreError):
    """A setting, method name or option is invalid."""


class LLMError(FsreError):
    """An LLM endpoint cannot be used (unreachable, no key, unknown model, server failed)."""


class LLMServerDied(LLMError):
    """The LLM server process this run started has died: no later request can succeed."""

    stops_run = True


class OutputError(FsreError):
    """An output path cannot be written (read-only, full disk, a file where a directory goes...)."""

    stops_run = True  # every later unit writes to the same place
