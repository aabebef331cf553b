"""Does TKRE's pre-training move the representation inference reads?  Measured on held-out TRAINING relations.

Seeded dev relations of semeval2010/train (never val_wiki, never the SemEval test set) are held
out; TKRE pre-trains on the other training relations (schema knowledge) and the start-marker
prototypes are scored on dev-relation episodes, next to the frozen base encoder. Prints one
FIGURE line per encoder and the per-stage budget and MSLM loss of each pre-training.

    OMP_NUM_THREADS=1 FSRE_BENCH_DATA_DIR=../shared/datasets .venv/bin/python benchmarks/tkre_dev_probe.py \
        --max-steps 60 --variants aligned unaligned
"""

from __future__ import annotations

import argparse
import json
import time

from baselines.dev_selection import DEV_SPLITS, dev_data, dev_episodes, episode_accuracy, split_dev_relations
from baselines.proto import ProtoMethod
from fsre_bench.data import load_dataset
from fsre_bench.methods.interface import MethodConfig
from tkre.pretrain import PretrainConfig, pretrain_encoder
from tkre.pretraining_texts import build_pretraining_texts, knowledge_instances
from tkre.settings import VARIANTS, TKRESettings

PROBE_VARIANTS = {  # name -> TKRE settings / pre-training config changes
    "aligned": ({}, {}),
    "unaligned": ({"mark_entities": False, "corpus_sentences_per_relation": 0},
                  {"marker_positive": False, "entity_blank_rate": 0.0, "mlm_warmup_steps": 0}),
    "aligned-no-warmup": ({}, {"mlm_warmup_steps": 0}),
    "aligned-no-blank": ({}, {"entity_blank_rate": 0.0}),
}


def _head(encoder: str | None):
    return ProtoMethod(MethodConfig(encoder=encoder, options={"proto_representation": "marker-start"}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-steps", type=int, default=60)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--dev-relations", type=int, default=4)
    parser.add_argument("--dev-split", choices=DEV_SPLITS, default="family",
                        help="hold out whole relation families (default) or single relations (the 2026-12-01 runs)")
    parser.add_argument("--episodes", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sentences-per-relation", type=int, default=None)
    parser.add_argument("--variants", nargs="+", default=["aligned", "unaligned"])
    args = parser.parse_args()
    train = load_dataset("semeval2010/train")
    fit, dev = split_dev_relations(train, args.dev_relations, args.seed, args.dev_split)
    episodes = dev_episodes(dev, n_way=5, k_shot=1, n_episodes=args.episodes, seed=args.seed)
    data = dev_data(dev)
    print(f"dev relations {dev.positive_relations}; {len(episodes)} episodes {episodes[0].n_way}-way 1-shot")
    started = time.perf_counter()
    print(f"FIGURE base marker-start dev accuracy {episode_accuracy(_head(None), episodes, data):.4f}"
          f" ({time.perf_counter() - started:.0f} s)")
    instances = knowledge_instances(list(fit.all_instances()), fit.negative_label, None)
    for name in args.variants:
        settings_changes, config_changes = PROBE_VARIANTS[name]
        settings = TKRESettings.from_options({"knowledge": "schema",
                                              "tkre_corpus_sentences_per_relation": args.sentences_per_relation,
                                              **{f"tkre_{k}": v for k, v in settings_changes.items()}})
        texts = build_pretraining_texts(instances, fit.relations, variant=VARIANTS["tkre"], settings=settings, llm=None,
                                        dataset="semeval2010/train[fit]", entity_types=fit.entity_types, seed=args.seed)
        config = PretrainConfig(stage1_epochs=args.epochs, stage2_epochs=args.epochs, max_steps=args.max_steps,
                                seed=args.seed, stage1_sources=texts.stage1_sources, **config_changes)
        result = pretrain_encoder(texts.examples, texts.relations, config, progress=False)
        stages = {k: {f: v.get(f) for f in ("steps", "examples_seen", "tokens", "wall_s", "loss_per_epoch")}
                  for k, v in result.info["stages"].items() if v.get("ran")}
        score = episode_accuracy(_head(str(result.encoder_dir)), episodes, data)
        print(f"FIGURE {name} marker-start dev accuracy {score:.4f}; corpus {texts.info['corpus']}")
        print(json.dumps(stages))


if __name__ == "__main__":
    main()
