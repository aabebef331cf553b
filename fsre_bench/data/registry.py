"""The dataset registry: ``DatasetSpec`` entries found through the ``fsre_bench.datasets`` entry points.

An entry point names a ``DatasetCatalogue`` (datasets, their sidecar files, group aliases), a list of
``DatasetSpec`` or one spec (``fsre_bench/data/spec.py``). The built-in datasets are declared the same
way (pyproject.toml: ``fsre-bench = "fsre_bench.data.builtin:DATASETS"``) and are also read directly,
first: an environment whose installed metadata predates that entry point (an editable install not
reinstalled since) still has every built-in dataset, in the built-in order that error messages and
``ls`` show. Entry points are read once per process, on the first lookup, so importing the data layer
imports no plugin, and a plugin may import ``fsre_bench.data`` itself.
"""

from __future__ import annotations

import difflib
import functools
from importlib.metadata import EntryPoint, entry_points

from fsre_bench.data.builtin import DATASETS
from fsre_bench.data.spec import LOADABLE_FORMATS, SIDECAR_FORMATS, DatasetCatalogue, DatasetSpec
from fsre_bench.errors import ConfigError

ENTRY_POINT_GROUP = "fsre_bench.datasets"
BUILTIN_ENTRY_POINT = "fsre-bench = 'fsre_bench.data.builtin:DATASETS'"


@functools.cache
def _registered() -> tuple[dict[str, DatasetSpec], dict[str, tuple[str, ...]]]:
    """(specs by name, groups by name): the built-in catalogue, then each plugin's, by entry point name."""
    specs: dict[str, DatasetSpec] = {}
    groups: dict[str, tuple[str, ...]] = {}
    owners: dict[str, str] = {}
    _add(DATASETS, f"entry point {BUILTIN_ENTRY_POINT}", specs, groups, owners)
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: (e.name, e.value)):
        catalogue = _catalogue_of(ep)
        if catalogue is not DATASETS:  # the built-in entry point, where the metadata has it: read above
            _add(catalogue, f"entry point {ep.name} = {ep.value!r}", specs, groups, owners)
    return specs, groups


def _catalogue_of(ep: EntryPoint) -> DatasetCatalogue:
    """What ``ep`` names, as a catalogue; a plugin that fails to import or names something else is one line."""
    try:
        loaded = ep.load()
    except Exception as exc:  # a plugin's module can fail any way; the user gets one line that names it
        raise ConfigError(f"dataset entry point {ep.name} = {ep.value!r} does not load "
                          f"({type(exc).__name__}: {exc})") from None
    if isinstance(loaded, DatasetCatalogue):
        return loaded
    if isinstance(loaded, DatasetSpec):
        return DatasetCatalogue((loaded,))
    if isinstance(loaded, list | tuple) and loaded and all(isinstance(item, DatasetSpec) for item in loaded):
        return DatasetCatalogue(tuple(loaded))
    raise ConfigError(f"dataset entry point {ep.name} = {ep.value!r} names a {type(loaded).__name__}, "
                      "not a DatasetCatalogue, a DatasetSpec or a list of DatasetSpec")


def _add(catalogue: DatasetCatalogue, where: str, specs: dict[str, DatasetSpec],
         groups: dict[str, tuple[str, ...]], owners: dict[str, str]) -> None:
    """Register one catalogue's entries, refusing a clash, a malformed spec or a name it cannot resolve."""
    for name in (*(spec.name for spec in catalogue.specs), *catalogue.groups):
        if name in owners:
            raise ConfigError(f"dataset {name!r} is registered twice: by {owners[name]} and by {where}")
        owners[name] = where
    for spec in catalogue.specs:
        _check_spec(spec, where)
        specs[spec.name] = spec
    groups.update({group: tuple(members) for group, members in catalogue.groups.items()})
    for spec in catalogue.specs:
        named = (*spec.requires, *(ref for ref in (spec.base, spec.patch, spec.relation_split) if ref))
        _check_known(named, f"dataset {spec.name!r}", specs, where)
    for group, members in catalogue.groups.items():
        _check_known(members, f"group {group!r}", specs, where)


def _check_spec(spec: DatasetSpec, where: str) -> None:
    family, _, split = spec.name.partition("/")
    if not family or not split:
        raise ConfigError(f"dataset {spec.name!r} ({where}): a name is FAMILY/SPLIT, e.g. fewrel/val_wiki")
    if spec.format not in (*LOADABLE_FORMATS, *SIDECAR_FORMATS):
        raise ConfigError(f"dataset {spec.name!r} ({where}): unknown format {spec.format!r} "
                          f"(one of {', '.join((*LOADABLE_FORMATS, *SIDECAR_FORMATS))})")
    if spec.builder is not None and ":" not in spec.builder:
        raise ConfigError(f"dataset {spec.name!r} ({where}): builder {spec.builder!r} is not 'module:function'")
    if not spec.relpath and not spec.derived:
        raise ConfigError(f"dataset {spec.name!r} ({where}): no file (relpath) and no builder or base to make it")


def _check_known(names: tuple[str, ...], what: str, specs: dict[str, DatasetSpec], where: str) -> None:
    unknown = [name for name in names if name not in specs]
    if unknown:
        raise ConfigError(f"{what} ({where}) names unregistered dataset(s): {', '.join(unknown)}")


def dataset_specs() -> dict[str, DatasetSpec]:
    """Every registered dataset and sidecar file by name: the built-in ones first, then the plugins'."""
    return _registered()[0]


def dataset_groups() -> dict[str, tuple[str, ...]]:
    """Group aliases (``semeval2010`` = its train, dev and test) -> the registered names they stand for."""
    return _registered()[1]


def known_names() -> list[str]:
    """Every registered dataset name and group alias."""
    return [*dataset_specs(), *dataset_groups()]


def unknown_name_error(name: str) -> ConfigError:
    """An unknown dataset name, with a did-you-mean."""
    close = difflib.get_close_matches(name, known_names(), n=3, cutoff=0.5)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    return ConfigError(
        f"unknown dataset {name!r}.{hint} (known: {', '.join(known_names())}; or pass a file path)"
    )


def get_spec(name: str) -> DatasetSpec:
    """The spec of a registered name (did-you-mean ConfigError otherwise)."""
    spec = dataset_specs().get(name)
    if spec is None:
        raise unknown_name_error(name)
    return spec


def expand_names(name: str) -> list[str]:
    """A dataset or group name -> the registered names it means, sidecars first, no repeats."""
    specs, groups = dataset_specs(), dataset_groups()
    if name not in specs and name not in groups:
        raise unknown_name_error(name)
    out: list[str] = []
    for member in groups.get(name, (name,)):
        for needed in (*specs[member].requires, member):
            if needed not in out:
                out.append(needed)
    return out


def licensed_catalogue(dataset_name: str, split: str) -> str | None:
    """The licence catalogue id (LDC) when a loaded dataset is licensed data, else None.

    A registered split answers for itself; a file loaded by path (or a patched copy, ``tacred+x``)
    is licensed when its name is that of a licensed registered dataset.
    """
    specs = dataset_specs()
    spec = specs.get(f"{dataset_name}/{split}")
    if spec is not None:
        return spec.ldc
    base = dataset_name.split("+", 1)[0]
    return next((s.ldc for s in specs.values() if s.ldc and s.dataset_name == base), None)
