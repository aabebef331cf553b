"""The method flags: --llm-* and icl's declared --icl-* flags become method options; no flags leave a YAML block alone."""

from __future__ import annotations

import argparse

from baselines.icl import ICLMethod
from fsre_bench.cli.method_flags import add_method_flags, method_options_from_args
from fsre_bench.llm import LLMConfig
from fsre_bench.llm.run_flags import llm_options_from_args
from fsre_bench.methods.interface import MethodConfig


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_method_flags(parser)  # every registered method's declared flags, and the --llm* group
    return parser.parse_args(argv)


def test_no_flags_give_no_options() -> None:
    args = parse([])
    assert llm_options_from_args(args) == {} and method_options_from_args(args) == {}


def test_flags_reach_the_method() -> None:
    args = parse(["--llm", "remote", "--llm-model", "m", "--icl-batch-queries", "--icl-max-demos", "10",
                  "--icl-token-budget", "2000"])
    options = method_options_from_args(args)
    assert isinstance(options["llm"], LLMConfig) and options["llm"].model == "m"
    method = ICLMethod(MethodConfig(options=options))
    assert (method.batch_queries, method.max_demos, method.token_budget) == (True, 10, 2000)
    assert method.llm_config.mode == "remote"


def test_a_yaml_llm_block_is_accepted_as_a_mapping() -> None:
    method = ICLMethod(MethodConfig(options={"llm": {"mode": "remote", "model": "gpt-4o-mini", "concurrency": 4}}))
    assert method.llm_config.model == "gpt-4o-mini" and method.llm_config.effective_concurrency == 4
    assert method.meta.extra["llm"]["concurrency"] == 4


def test_the_run_command_fails_with_exit_code_2_and_one_error_line_for_a_dead_endpoint(tmp_path) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    from fsre_bench.llm.local_server import free_loopback_port

    url = f"http://127.0.0.1:{free_loopback_port()}/v1"
    repo = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-m", "fsre_bench.cli.main", "run", "--methods", "icl", "--llm", "remote", "--llm-base-url", url,
         "--dataset", "fewrel/val_wiki", "--settings", "5-1", "--episodes", "2", "--seeds", "0",
         "--output-dir", str(tmp_path)],
        capture_output=True, text=True, cwd=repo, timeout=120, env={**os.environ, "PYTHONPATH": str(repo)},
    )
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "cannot reach the LLM endpoint" in errors[0] and url in errors[0]
    assert "Traceback" not in done.stderr
