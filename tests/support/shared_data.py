"""Where the shared datasets are for tests: $FSRE_BENCH_DATA_DIR, else ../shared/datasets beside the repo.

Missing data fails the session (conftest's ``pytest_sessionstart``); no test skips for lack of it.
"""

from __future__ import annotations

import os
from pathlib import Path

SHARED_DATA = Path(
    os.environ.get("FSRE_BENCH_DATA_DIR") or Path(__file__).resolve().parents[3] / "shared" / "datasets"
).resolve()
# One file of each source the suite reads; any missing means the data directory is wrong.
REQUIRED_FILES = ("fewrel/val_wiki.json", "fewrel/val_semeval.json", "fewrel/pid2name.json", "fewrel/val_pubmed.json",
                  "wiki80/dev.txt", "wiki80/train_0.1.txt", "wiki80/rel2id.json",
                  "semeval2010/train.txt", "semeval2010/test.txt", "semeval2010/rel2id.json",
                  "tacrev/dev_patch.json", "tacrev/test_patch.json")


def missing_shared_files() -> list[str]:
    return [name for name in REQUIRED_FILES if not (SHARED_DATA / name).is_file()]
