"""Episodes and K-shot splits: samplers (default, codalab, natural-NOTA, K-shot) and episode files.

Every protocol's episodes are built by one function, ``build_episodes`` (build.py).
"""

from __future__ import annotations

from fsre_bench.episodes.build import BuiltEpisodes, build_episodes
from fsre_bench.episodes.codalab import CODALAB_SEED, codalab_episodes
from fsre_bench.episodes.files import (
    FORMAT,
    episode_file_header,
    episode_file_sha256,
    episodes_text,
    kshot_file_header,
    read_episode_file,
    write_episode_file,
)
from fsre_bench.episodes.kshot import (
    KSHOT_SEEDS,
    STANDARD_K,
    kshot_dataset_names,
    kshot_episode_id,
    limit_queries,
    sample_kshot_split,
)
from fsre_bench.episodes.relation_split import FS_TACRED_PARTS, split_relations
from fsre_bench.episodes.setting import (
    DEFAULT_QUERIES,
    PROTOCOLS,
    SAMPLERS,
    STANDARD_SETTINGS,
    EpisodeSetting,
    kshot_setting_name,
    nota_per_episode,
    parse_n_k,
    parse_setting,
    setting_label,
)

__all__ = [
    "CODALAB_SEED",
    "DEFAULT_QUERIES",
    "FORMAT",
    "FS_TACRED_PARTS",
    "KSHOT_SEEDS",
    "PROTOCOLS",
    "SAMPLERS",
    "STANDARD_K",
    "STANDARD_SETTINGS",
    "BuiltEpisodes",
    "EpisodeSetting",
    "build_episodes",
    "codalab_episodes",
    "episode_file_header",
    "episode_file_sha256",
    "episodes_text",
    "kshot_dataset_names",
    "kshot_episode_id",
    "kshot_file_header",
    "kshot_setting_name",
    "limit_queries",
    "nota_per_episode",
    "parse_n_k",
    "parse_setting",
    "read_episode_file",
    "sample_kshot_split",
    "setting_label",
    "split_relations",
    "write_episode_file",
]
