"""Tests are laid out like the package: the test of a module with logic is found by its name, in one guess.

The rule, for a module ``fsre_bench/<a>/<b>.py``:

- It has logic when it defines a function or method whose body does more than a docstring, ``...``,
  ``pass`` or a bare ``raise``. Imports, constants, ``__all__`` re-exports, dataclass fields, Protocol
  and abstract stubs, and a module-level ``__getattr__``/``__dir__`` (lazy re-exports) are not logic.
- Its test is ``tests/test_<a>_<b>.py``, or ``tests/test_<a>_<b>_<aspect>.py`` when it is split by
  aspect; a package's ``__init__.py`` is ``tests/test_<a>.py``, a top-level module ``tests/test_<b>.py``,
  and a module named like its package drops the repeat (``runner/runner.py``: ``tests/test_runner.py``).
  This is the convention most of tests/ already followed (test_data_fetch.py, test_llm_client.py, ...).
- Helpers live in ``tests/support/``, fixture files in ``tests/fixtures/``; neither is a test.

``COVERED_ELSEWHERE`` names the few modules whose test has another name, each with its reason.
``NOT_YET_TESTED`` is issue 28's debt, listed by name so no new module joins it silently: a module
leaves it when its test file lands (the test fails until the entry is deleted), and nothing is added.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "fsre_bench"
TESTS = ROOT / "tests"

COVERED_ELSEWHERE: dict[str, tuple[str, str]] = {
    # module: (test file, why it is not named after the module)
}

NOT_YET_TESTED: frozenset[str] = frozenset({
    # Issue 28 item 5's remaining debt (no test file by name yet); delete an entry when its test lands.
})

_LAZY_EXPORTS = {"__getattr__", "__dir__"}


def _is_stub(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    body = [s for s in function.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
                                             and isinstance(s.value.value, str))]  # the docstring
    return all(isinstance(s, ast.Pass | ast.Raise)
               or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant) and s.value.value is ...)
               for s in body)


def has_logic(source: str) -> bool:
    """Whether a module's source defines a function or method that does something (the rule above)."""
    tree = ast.parse(source)
    lazy = {id(node) for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in _LAZY_EXPORTS}
    return any(isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and id(node) not in lazy
               and not _is_stub(node) for node in ast.walk(tree))


def module_name(path: Path) -> str:
    """``runner.plan`` for fsre_bench/runner/plan.py, ``cli`` for fsre_bench/cli/__init__.py."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stem_of(module: str) -> str:
    """The name a module's test file starts with: ``test_runner_plan`` for ``runner.plan``."""
    parts = module.split(".")
    if len(parts) > 1 and parts[-1] == parts[-2]:  # runner/runner.py: test_runner, not test_runner_runner
        parts = parts[:-1]
    return "test_" + "_".join(parts)


def owner(test_file: str, modules: list[str]) -> str | None:
    """The module a test file is named after: the longest stem it starts with (test_runner_plan.py is
    runner.plan's, not an aspect of runner/runner.py's test_runner.py)."""
    stems = [(stem_of(m), m) for m in modules]
    matches = [(len(s), m) for s, m in stems if test_file == f"{s}.py" or test_file.startswith(f"{s}_")]
    return max(matches)[1] if matches else None


def named_test(module: str, test_files: set[str], modules: list[str]) -> str | None:
    """The first test file named after ``module`` (exact, or split by aspect), if there is one."""
    return next((name for name in sorted(test_files) if owner(name, modules) == module), None)


def _modules() -> list[str]:
    return sorted(module_name(path) for path in PACKAGE.rglob("*.py") if module_name(path))


def _logic_modules() -> list[str]:
    return [m for m in _modules() if has_logic(_source(m).read_text(encoding="utf-8"))]


def _source(module: str) -> Path:
    path = PACKAGE.joinpath(*module.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def _test_files() -> set[str]:
    return {path.name for path in TESTS.glob("test_*.py")}


def test_every_module_with_logic_has_a_test_file_named_after_it() -> None:
    tests, modules = _test_files(), _modules()
    missing = [f"{_source(m).relative_to(ROOT)} -> tests/{stem_of(m)}.py" for m in _logic_modules()
               if named_test(m, tests, modules) is None and m not in COVERED_ELSEWHERE and m not in NOT_YET_TESTED]
    assert not missing, "modules with logic but no test file named after them:\n  " + "\n  ".join(missing)


def test_the_lists_of_exceptions_hold_only_what_they_claim() -> None:
    tests, modules, logic = _test_files(), _modules(), set(_logic_modules())
    assert not COVERED_ELSEWHERE.keys() & NOT_YET_TESTED
    for module in (*COVERED_ELSEWHERE, *NOT_YET_TESTED):
        assert module in logic, f"{module}: no such module with logic; delete its entry"
        found = named_test(module, tests, modules)
        assert found is None, f"{module} has {found} now; delete its entry"
    for module, (test_file, reason) in COVERED_ELSEWHERE.items():
        text = (TESTS / test_file).read_text(encoding="utf-8")
        assert reason and f"fsre_bench.{module.rsplit('.', 1)[0]}" in text, f"{test_file} does not exercise {module}"


def test_tests_dir_holds_only_tests_support_and_fixtures() -> None:
    strays = sorted(path.name for path in TESTS.iterdir()
                    if path.suffix == ".py" and not path.name.startswith("test_")
                    and path.name not in {"__init__.py", "conftest.py"})
    assert not strays, f"helpers belong in tests/support/: {strays}"


def test_the_rule_tells_logic_from_declarations() -> None:
    assert not has_logic('"""Constants."""\nX = 1\n__all__ = ["X"]\nfrom a import b\n')
    assert not has_logic("from dataclasses import dataclass\n@dataclass\nclass A:\n    x: int = 0\n")
    assert not has_logic("class P(Protocol):\n    def f(self) -> int: ...\n    def g(self):\n        '''Doc.'''\n"
                         "        raise NotImplementedError\n")
    assert not has_logic("def __getattr__(name):\n    return import_module(name)\n")
    assert has_logic("def f():\n    return 1\n")
    assert has_logic("class A:\n    @property\n    def x(self):\n        return self._x + 1\n")
    assert has_logic("class A:\n    def __getattr__(self, name):\n        return 1\n")  # a method, not a lazy export


def test_names_map_to_one_test_file() -> None:
    assert stem_of("runner.plan") == "test_runner_plan"
    assert stem_of("runner.runner") == "test_runner"
    assert stem_of("report.site.views") == "test_report_site_views"
    assert stem_of("devices") == "test_devices"
    modules = ["numerics", "runner", "runner.lock", "runner.plan", "runner.runner"]
    files = {"test_runner_plan.py", "test_numerics_apply.py", "test_runner_planner.py", "test_runner_resume.py"}
    assert named_test("runner.plan", files, modules) == "test_runner_plan.py"
    assert named_test("numerics", files, modules) == "test_numerics_apply.py"
    assert named_test("runner.lock", files, modules) is None
    assert owner("test_runner_plan_errors.py", modules) == "runner.plan"
    assert owner("test_runner_resume.py", modules) == "runner.runner"  # an aspect of runner/runner.py's test
    assert module_name(PACKAGE / "runner" / "plan.py") == "runner.plan"
    assert module_name(PACKAGE / "cli" / "__init__.py") == "cli"
