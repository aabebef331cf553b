"""Running the real CLI in-process and asserting its failures are one line, exit 2, no traceback."""

from __future__ import annotations

import pytest

from fsre_bench.cli.main import main


def fails_with_one_line(capsys: pytest.CaptureFixture[str], argv: list[str], *fragments: str) -> str:
    """Run ``fsre-bench argv``: exit 2, every stderr line an ``error:`` line (one at least), fragments in it."""
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse usage errors exit from inside parse_args
        code = exc.code
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines and all(line.startswith("error:") for line in lines), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, err
    return err


def valid_run_argv(out: object, *extra: str) -> list[str]:
    """A small real run (random on FewRel val_semeval, 5 episodes) to check outputs survive a failure."""
    return ["run", "--methods", "random", "--dataset", "fewrel/val_semeval", "--settings", "5-1", "--episodes", "5",
            "--seeds", "0", "--output-dir", str(out), *extra]


def output_snapshot(out: object) -> dict[str, bytes]:
    """Every predictions log and result file under ``out`` (path -> bytes), for byte-identical checks."""
    from pathlib import Path

    root = Path(str(out))
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and (p.name.endswith(".predictions.jsonl") or p.suffix == ".json")}
