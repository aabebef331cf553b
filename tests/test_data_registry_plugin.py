"""A third-party dataset registered through the real ``fsre_bench.datasets`` entry-point group.

The package is a module plus a ``.dist-info`` (METADATA, entry_points.txt) in a temporary directory on
PYTHONPATH, so importlib.metadata finds it exactly as it finds an installed distribution (as in
test_methods_registry_plugin.py). It declares two datasets: ``toyrel/val``, a FewRel-format file with
a URL and sha256 (fetched and verified like a built-in), and ``toyrel/generated``, made by the
plugin's own loader. ``ls``, ``data fetch``, ``data verify`` and ``run --methods random`` use both
without the harness knowing anything about them; a clash or a broken plugin is one line, exit 2.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from fsre_bench.data import DatasetCatalogue, DatasetSpec, dataset_groups, dataset_specs, known_names
from fsre_bench.data import registry as dataset_registry
from fsre_bench.data.builtin import DATASETS
from fsre_bench.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def toy_records(tag: str) -> dict[str, list[dict]]:
    """Six made-up relations x 4 sentences, FewRel JSON keyed by relation name."""
    return {f"rel_{r}": [{"tokens": [f"{tag}{r}{i}", "is", f"rel_{r}", "of", f"obj{r}{i}", "."],
                          "h": [f"{tag}{r}{i}", f"Q{r}{i}", [[0]]], "t": [f"obj{r}{i}", f"Q9{r}{i}", [[4]]]}
                         for i in range(4)] for r in "abcdef"}


PLUGIN = '''
import hashlib
import json
from pathlib import Path

from fsre_bench.data import DatasetCatalogue, DatasetSpec
from fsre_bench.data.fewrel import parse_fewrel

RECORDS = {records}


def build_generated(spec, data_dir):
    """The plugin's own loader: records it makes -> a Dataset."""
    raw = json.dumps(RECORDS, sort_keys=True).encode()
    return parse_fewrel(RECORDS, "toyrel_data:build_generated", name=spec.dataset_name, split=spec.split,
                        sha256=hashlib.sha256(raw).hexdigest())


DATASETS = DatasetCatalogue(specs=(
    DatasetSpec(name="toyrel/val", relpath="toyrel/val.json", format="fewrel", license="CC0",
                description="six made-up relations x 4 (a plugin's file)", url={url!r}, sha256={sha256!r},
                size={size}, protocols=("episodic",)),
    DatasetSpec(name="toyrel/generated", relpath="", format="fewrel", license="CC0",
                description="six made-up relations x 4, made by the plugin's loader",
                builder="toyrel_data:build_generated", protocols=("episodic",)),
))
'''


def write_distribution(root: Path, name: str, entry_points: str, module: str = "", source: str = "") -> Path:
    """``root`` on PYTHONPATH holds ``module``.py and a dist-info whose entry_points.txt is ``entry_points``."""
    root.mkdir(parents=True, exist_ok=True)
    if module:
        (root / f"{module}.py").write_text(source)
    dist = root / f"{name}-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name.replace('_', '-')}\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(entry_points)
    return root


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("dataset_plugin")
    source_file = root / "toyrel_val.json"
    source_file.write_text(json.dumps(toy_records("val")))
    raw = source_file.read_bytes()
    source = PLUGIN.format(records=repr(toy_records("gen")), url=source_file.as_uri(),
                           sha256=hashlib.sha256(raw).hexdigest(), size=len(raw))
    return write_distribution(root, "toyrel_data", "[fsre_bench.datasets]\ntoyrel = toyrel_data:DATASETS\n",
                              "toyrel_data", source)


def fsre_bench(*paths: Path, argv: tuple[str, ...]) -> subprocess.CompletedProcess:
    # COLUMNS: rich tables are not wrapped, so names can be read back whole.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([*map(str, paths), str(REPO)]), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "fsre_bench.cli.main", *argv], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=300)


def assert_one_line_error(done: subprocess.CompletedProcess, *fragments: str) -> None:
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 2 and len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "Traceback" not in done.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_ls_shows_the_plugins_datasets_beside_the_built_in_ones(plugin_path: Path, tmp_path: Path) -> None:
    done = fsre_bench(plugin_path, argv=("ls", "datasets", "--data-dir", str(tmp_path)))
    assert done.returncode == 0, done.stderr
    rows = {line.split("│")[1].strip(): line.split("│") for line in done.stdout.splitlines() if line.startswith("│ ")}
    assert {"toyrel/val", "toyrel/generated", "fewrel/val_wiki", "tacrev/test"} <= set(rows)
    assert rows["toyrel/generated"][3].strip() == "yes (built on load)" and rows["toyrel/val"][3].strip() == "no"


def test_fetch_verify_and_run_the_plugins_file_dataset(plugin_path: Path, tmp_path: Path) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    fetched = fsre_bench(plugin_path, argv=("data", "fetch", "toyrel/val", "--data-dir", str(data)))
    assert fetched.returncode == 0, fetched.stderr
    assert (data / "toyrel" / "val.json").read_bytes() == (plugin_path / "toyrel_val.json").read_bytes()
    verified = fsre_bench(plugin_path, argv=("data", "verify", "--data-dir", str(data)))
    assert verified.returncode == 0, verified.stderr
    row = next(line for line in verified.stdout.splitlines() if "toyrel/val" in line)
    assert "ok" in row and "sha256 match" in row
    done = fsre_bench(plugin_path, argv=("run", "--methods", "random", "--dataset", "toyrel/val", "--episodes", "3",
                                         "--n-bootstrap", "100", "--data-dir", str(data), "--output-dir", str(out)))
    assert done.returncode == 0, done.stderr
    (path,) = (out / "runs" / "toyrel_val" / "episodic" / "5-1" / "random").glob("n3_*.json")
    result = json.loads(path.read_text())
    declared = hashlib.sha256((plugin_path / "toyrel_val.json").read_bytes()).hexdigest()
    assert (result["dataset"]["name"], result["dataset"]["split"], result["dataset"]["sha256"]) == (
        "toyrel", "val", declared)
    assert (result["dataset"]["n_relations"], result["dataset"]["n_instances"]) == (6, 24)
    log = path.parent / result["per_seed"][0]["predictions"]
    assert len(log.read_text().splitlines()[1:]) == 3


def test_run_the_dataset_the_plugins_loader_makes(plugin_path: Path, tmp_path: Path) -> None:
    done = fsre_bench(plugin_path, argv=("run", "--methods", "random", "--dataset", "toyrel/generated", "--episodes",
                                         "2", "--n-bootstrap", "100", "--data-dir", str(tmp_path / "empty"),
                                         "--output-dir", str(tmp_path)))
    assert done.returncode == 0, done.stderr
    (path,) = (tmp_path / "runs" / "toyrel_generated" / "episodic" / "5-1" / "random").glob("n2_*.json")
    result = json.loads(path.read_text())
    assert (result["dataset"]["name"], result["dataset"]["split"], result["dataset"]["n_instances"]) == (
        "toyrel", "generated", 24)


def test_a_name_clash_is_one_line_naming_both_entry_points(plugin_path: Path, tmp_path: Path) -> None:
    clash = write_distribution(tmp_path / "clash", "clash_data", "[fsre_bench.datasets]\nclash = clash_data:SPEC\n",
                               "clash_data", "from fsre_bench.data import DatasetSpec\nSPEC = DatasetSpec("
                               "'toyrel/val', 'other/val.json', 'fewrel', 'CC0', 'a second toyrel/val')\n")
    done = fsre_bench(plugin_path, clash, argv=("ls", "datasets"))
    assert_one_line_error(done, "'toyrel/val' is registered twice", "entry point toyrel = 'toyrel_data:DATASETS'",
                          "entry point clash = 'clash_data:SPEC'")


def test_a_broken_plugin_is_one_line_naming_its_entry_point(tmp_path: Path) -> None:
    broken = write_distribution(tmp_path, "broken_data", "[fsre_bench.datasets]\nbroken = broken_data:DATASETS\n",
                                "broken_data", "raise RuntimeError('no network here')\n")
    done = fsre_bench(broken, argv=("run", "--methods", "random", "--dataset", "fewrel/val_wiki", "--episodes", "2",
                                    "--output-dir", str(tmp_path / "out")))
    assert_one_line_error(done, "dataset entry point broken = 'broken_data:DATASETS' does not load",
                          "RuntimeError: no network here")
    assert not (tmp_path / "out").exists()


# In-process: the registry's checks, with entry points stood in for by EntryPoint objects.

CLASH_WITH_BUILT_IN = DatasetSpec("fewrel/val_wiki", "mine/val_wiki.json", "fewrel", "CC0", "not FewRel's")
NO_SPLIT = DatasetSpec("toyrel", "toyrel.json", "fewrel", "CC0", "a name without a split")
UNKNOWN_FORMAT = DatasetSpec("toyrel/val", "toyrel/val.csv", "csv", "CC0", "a format nobody parses")
MISSING_SIDECAR = DatasetSpec("toyrel/val", "toyrel/val.json", "fewrel", "CC0", "x", requires=("toyrel/pid2name",))
GROUP_OF_NOTHING = DatasetCatalogue(specs=(DatasetSpec("toyrel/train", "toyrel/train.json", "fewrel", "CC0", "x"),),
                                    groups={"toyrel": ("toyrel/train", "toyrel/dev", "toyrel/test")})
GROUPED = DatasetCatalogue(specs=tuple(DatasetSpec(f"toyrel/{s}", f"toyrel/{s}.json", "fewrel", "CC0", s)
                                       for s in ("train", "dev", "test")),
                           groups={"toyrel": ("toyrel/train", "toyrel/dev", "toyrel/test")})
NOT_A_SPEC = {"name": "toyrel/val"}


@pytest.fixture
def registered_entry_points(monkeypatch: pytest.MonkeyPatch):
    """Stand ``names`` (attributes of this module) in for the installed entry points; the cache is reread."""
    def stand_in(*names: str, builtin_declared: bool = False) -> None:
        eps = [EntryPoint(name.lower(), f"{__name__}:{name}", dataset_registry.ENTRY_POINT_GROUP) for name in names]
        if builtin_declared:
            eps.append(EntryPoint("fsre-bench", "fsre_bench.data.builtin:DATASETS", dataset_registry.ENTRY_POINT_GROUP))
        monkeypatch.setattr(dataset_registry, "entry_points", lambda group: eps if group == eps[0].group else [])
        dataset_registry._registered.cache_clear()

    yield stand_in
    dataset_registry._registered.cache_clear()


@pytest.mark.parametrize(("name", "fragment"), [
    ("CLASH_WITH_BUILT_IN", "'fewrel/val_wiki' is registered twice: by entry point fsre-bench = "
                            "'fsre_bench.data.builtin:DATASETS' and by entry point clash_with_built_in"),
    ("NO_SPLIT", "dataset 'toyrel' (entry point no_split = "),
    ("UNKNOWN_FORMAT", "unknown format 'csv'"),
    ("MISSING_SIDECAR", "dataset 'toyrel/val' (entry point missing_sidecar = "),
    ("GROUP_OF_NOTHING", "group 'toyrel' (entry point group_of_nothing = "),
    ("NOT_A_SPEC", "names a dict, not a DatasetCatalogue"),
    ("NOT_THERE", "does not load (AttributeError"),
])
def test_a_bad_registration_names_its_entry_point(registered_entry_points, name: str, fragment: str) -> None:
    registered_entry_points(name)
    with pytest.raises(ConfigError) as raised:
        dataset_specs()
    message = str(raised.value)
    assert fragment in message and f"{name.lower()} = '{__name__}:{name}'" in message and "\n" not in message


def test_a_plugins_group_and_splits_come_after_the_built_in_ones(registered_entry_points) -> None:
    registered_entry_points("GROUPED")
    assert list(dataset_specs())[-3:] == ["toyrel/train", "toyrel/dev", "toyrel/test"]
    assert list(dataset_groups())[-1] == "toyrel" and known_names()[-1] == "toyrel"
    assert list(dataset_specs())[:len(DATASETS.specs)] == [spec.name for spec in DATASETS.specs]


def test_the_built_in_entry_point_in_fresh_metadata_is_not_a_clash(registered_entry_points) -> None:
    """Installed metadata from before the group (no entry point) and after it (the entry point) give the same."""
    registered_entry_points("GROUPED", builtin_declared=True)
    assert [name for name in dataset_specs() if not name.startswith("toyrel/")] == [s.name for s in DATASETS.specs]
