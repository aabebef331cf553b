"""``fsre-bench tkre knowledge --import DIR --dataset D``: validate knowledge made elsewhere, convert it, say what survived.

The same conversion ``--knowledge import:DIR`` runs inside a TKRE run (tkre/knowledge/imported.py),
done ahead of time: every record is checked against D's training relations, bad records are
dropped and counted by reason, and the artifacts land in the knowledge cache, so the run reuses them.
"""

from __future__ import annotations

from fsre_bench.errors import DataError
from tkre.knowledge.imported import PREFIX, import_directory, import_knowledge, import_report


def run_import(directory: str, dataset_name: str, data_dir: str | None, explanations_per_relation: int,
               synthetic_per_relation: int) -> int:
    from fsre_bench.data import load_dataset, resolve_data_dir
    from tkre.knowledge.common import group_by_relation
    from tkre.knowledge.show import print_built
    from tkre.pretraining_texts import knowledge_instances

    folder = import_directory(PREFIX + directory)
    dataset = load_dataset(dataset_name, resolve_data_dir(data_dir))
    # the instances and relation order a TKRE run on this training split uses, so the run reuses the artifacts
    instances = knowledge_instances(list(dataset.all_instances()), dataset.negative_label, None)
    if not instances:
        raise DataError(f"{dataset_name}: no positive relation has instances to import knowledge for")
    imported = import_knowledge(folder, dataset.relations, list(group_by_relation(instances)),
                                dataset=f"{dataset.name}/{dataset.split}",
                                explanations_per_relation=explanations_per_relation,
                                synthetic_per_relation=synthetic_per_relation,
                                real_contexts=[inst.text for inst in instances])
    built = [a for a in (imported.explanations, imported.synthetic) if a is not None]
    print_built(built)
    for line in import_report(imported):
        print(line)
    print(f"knowledge source {imported.source} (use --knowledge import:{directory})")
    return 0
