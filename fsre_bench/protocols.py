"""The protocol vocabulary, in one place: protocols, samplers, standard settings and seeds (PROTOCOLS.md).

A leaf module (it imports nothing of fsre_bench), so the runner, the episode samplers, the CLI and
the reports all name the same things the same way.
"""

from __future__ import annotations

PROTOCOLS = ("episodic", "natural-nota", "kshot")
SAMPLERS = ("default", "codalab")
# The FewRel settings every paper reports, in the order papers print them.
STANDARD_SETTINGS = ("5-1", "5-5", "10-1", "10-5")
# K-shot RC (LM-BFF / GenPT / KnowPrompt / TKRE): the five seeds and the usual K.
KSHOT_SEEDS = (13, 21, 42, 87, 100)
STANDARD_K = (8, 16, 32)
# Queries per relation (episodic) or per episode (codalab, natural-nota) when --n-query is not given.
DEFAULT_QUERIES = {"episodic": 1, "codalab": 1, "natural-nota": 3}
# The metric each protocol reports first.
PRIMARY_METRIC = {"episodic": "accuracy", "natural-nota": "micro_f1", "kshot": "micro_f1"}
