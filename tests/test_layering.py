"""The harness's import structure: fsre_bench never imports a method, reports never import the runner, no cycles."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("fsre_bench", "baselines", "tkre")


def _modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            name = ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
            modules[name] = path
    return modules


def _imports(path: Path, known: dict[str, Path]) -> set[str]:
    """Every module imported anywhere in the file (function-level and TYPE_CHECKING imports too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.update(f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known else node.module
                         for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_fsre_bench_imports_no_method_and_reports_import_no_runner() -> None:
    known = _modules()
    for name, path in known.items():
        imported = _imports(path, known)
        if name.startswith("fsre_bench"):
            assert not {m for m in imported if m.split(".")[0] in ("baselines", "tkre")}, name
        if name.startswith("fsre_bench.report"):
            assert not {m for m in imported if m.startswith("fsre_bench.runner")}, name


def test_no_import_cycles() -> None:
    known = _modules()
    graph = {name: {m for m in _imports(path, known) if m in known and m != name} for name, path in known.items()}
    done: set[str] = set()

    def visit(name: str, stack: list[str]) -> None:
        for target in graph[name]:
            assert target not in stack, " -> ".join([*stack[stack.index(target):], target])
            if target not in done:
                visit(target, [*stack, target])
        done.add(name)

    for name in graph:
        visit(name, [name])


def test_the_leaderboard_loads_no_method_module() -> None:
    code = ("import sys\nfrom fsre_bench.report.collect import collect_rows\nfrom fsre_bench.report.leaderboard import "
            "build_tables\nbuild_tables(collect_rows('results'))\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('baselines', 'tkre', 'torch')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_importing_the_encoder_loads_no_torch() -> None:
    # torch loads when an encoder first encodes: a run whose embeddings are all cached never pays for it
    code = "import sys\nimport fsre_bench.encoders.encoder\nprint('torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
