"""Model selection on held-out *training* relations: never the evaluation split (val_wiki, SemEval test).

A seeded subset of the training relations (``dev_relations``, default 4 of SemEval's 17) is held
out, whole relation families at a time by default (``dev_split="family"``: both directions of a
SemEval class, so a dev relation is as new to the encoder as an evaluation relation is; holding out
single directed relations left each dev relation's reverse in training); the encoder is meta-trained
on the rest, and at checkpoint steps the start-marker prototypes are scored on dev-relation
episodes; the best (lr, steps) is kept. That selection encoder (which never saw a dev relation)
later picks the description-fusion weight and, where there are enough dev relations, the NOTA
threshold at the evaluation's N and K: both are scored with *its* prototypes, never with the
refit's, which has trained on the dev relations. The evaluated encoder is then, by default
(``refit="all"``), trained again on *all* the training relations with the chosen lr for the chosen
steps of the same schedule: holding out two of SemEval's nine classes for choosing must not cost the
evaluated model their sentences. ``refit="none"`` evaluates the selection checkpoint itself. The
result records every score, the choice, and what the selection and the refit each spent
(``model_selection``).
"""

from __future__ import annotations

import random
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from baselines.specs import DEV_SPLITS, REFITS, SELECTION_OPTIONS
from fsre_bench.cache import content_hash, file_sha256
from fsre_bench.errors import ConfigError
from fsre_bench.methods.options import options_dataclass
from fsre_bench.types import Dataset, Episode, EpisodeData

# make_head(encoder_dir, fusion_weight) -> an object with prepare(episodes, data) and episode_scores(episode, features)
HeadFactory = Callable[[Path, float], Any]


@dataclass(frozen=True, kw_only=True)
class SelectionSpace:
    """What is chosen on the dev relations, and from which candidates (the select_* defaults: baselines/specs.py)."""

    dev_relations: int  # held out of the training relations (0: no selection, train on all)
    dev_split: str  # hold out whole families (both directions of a class) or single "relation"s
    checkpoints: tuple[float, ...] = (1 / 3, 2 / 3, 1.0)  # fractions of the step budget evaluated
    lrs: tuple[float, ...] = ()  # () = the budget's lr only
    fusion_weights: tuple[float, ...] = (0.0, 0.25, 0.5, 1.0, 2.0)  # sentence/description view weight, when fused
    dev_episodes: int
    dev_k_shot: int = 1
    refit: str  # "all": retrain on every training relation with the choice; "none": evaluate the checkpoint

    @classmethod
    def from_options(cls, options: dict[str, Any], prefix: str = "select_") -> SelectionSpace:
        numbers = dict.fromkeys(("checkpoints", "lrs", "fusion_weights"), _numbers)
        space = options_dataclass(cls, options, prefix, SELECTION_OPTIONS, convert=numbers)
        if space.dev_relations < 0 or space.dev_episodes < 1 or not space.checkpoints:
            raise ConfigError("select_dev_relations must be >= 0, select_dev_episodes >= 1, checkpoints non-empty")
        if space.dev_split not in DEV_SPLITS:
            raise ConfigError(f"option select_dev_split={space.dev_split!r}: choose {' or '.join(DEV_SPLITS)}")
        if space.refit not in REFITS:
            raise ConfigError(f"option select_refit={space.refit!r}: choose {' or '.join(REFITS)}")
        return space

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def selection_dict(self) -> dict[str, Any]:
        """What decides the selection run (its cache key): everything but what happens after the choice."""
        return {k: v for k, v in asdict(self).items() if k != "refit"}


def _numbers(key: str, value: Any) -> tuple[float, ...]:
    """A list option as floats (a quoted '5e-5' stays text in YAML and on --option: float() takes it)."""
    try:
        return tuple(float(v) for v in (value if isinstance(value, list | tuple) else [value]))
    except (TypeError, ValueError):
        raise ConfigError(f"option {key}={value!r}: give a list of numbers, e.g. [0.5, 1.0]") from None



def relation_family(relation: str) -> str:
    """The relation without its direction: ``Cause-Effect(e2,e1)`` -> ``Cause-Effect``; others unchanged."""
    return re.sub(r"\((e1,e2|e2,e1)\)$", "", relation)


def split_dev_relations(train: Dataset, count: int, seed: int, unit: str = "family") -> tuple[Dataset, Dataset]:
    """(training relations minus ``count`` seeded dev relations, the dev relations) as two Datasets.

    Dev relations are drawn among those with at least 3 sentences (a support and two queries);
    a relation listed without sentences (SemEval's Entity-Destination(e2,e1)) is never one. With
    ``unit="family"`` whole families are drawn (seeded order, skipping one that would overshoot
    ``count``), and a family never has members on both sides; with ``"relation"``, single relations.
    """
    usable = [r for r in train.positive_relations if len(train.instances.get(r, ())) >= 3]
    if count >= len(usable) - 1:
        raise ConfigError(f"select_dev_relations={count}: {train.name}/{train.split} has only {len(usable)} "
                          "training relations with sentences; at least 2 must stay for training")
    if unit == "relation":
        dev = sorted(random.Random(f"dev-relations:{seed}").sample(sorted(usable), count))
        return _subset(train, [r for r in train.relations if r not in dev], "fit"), _subset(train, dev, "dev")
    held = _whole_families(sorted(usable), count, seed)
    if held is None:
        raise ConfigError(f"select_dev_relations={count}: whole relation families of {train.name}/{train.split} "
                          f"do not make exactly {count}; give another count or select_dev_split=relation")
    held_families = {relation_family(r) for r in held}
    fit = [r for r in train.relations if relation_family(r) not in held_families]
    return _subset(train, fit, "fit"), _subset(train, sorted(held), "dev")


def _whole_families(relations: list[str], count: int, seed: int, attempts: int = 100) -> list[str] | None:
    """``count`` relations made of whole families: families in a seeded order, each taken unless it would
    overshoot; a draw that ends short (a lone relation taken early) is redrawn, the same way for the same seed."""
    families: dict[str, list[str]] = {}
    for relation in relations:
        families.setdefault(relation_family(relation), []).append(relation)
    for attempt in range(attempts):
        rng = random.Random(f"dev-relations:{seed}" + (f":{attempt}" if attempt else ""))
        held: list[str] = []
        for family in rng.sample(sorted(families), len(families)):
            if len(held) + len(families[family]) <= count:
                held.extend(families[family])
        if len(held) == count:
            return held
    return None


def _subset(train: Dataset, relations: Sequence[str], part: str) -> Dataset:
    keep = set(relations)
    return Dataset(name=train.name, split=f"{train.split}[{part}]",
                   relations={r: rel for r, rel in train.relations.items() if r in keep},
                   instances={r: group for r, group in train.instances.items() if r in keep},
                   source_sha256=content_hash(train.source_sha256, part, sorted(keep)),
                   source_path=train.source_path, negative_label=train.negative_label,
                   entity_types=train.entity_types)


def dev_episodes(dev: Dataset, *, n_way: int, k_shot: int, n_episodes: int, seed: int,
                 na_rate: float = 0.0) -> list[Episode]:
    """Episodes on the dev relations (N capped at their number; 2 queries per relation)."""
    from fsre_bench.episodes import EpisodeSetting, build_episodes

    setting = EpisodeSetting(n_way=min(n_way, len(dev.positive_relations) - (1 if na_rate else 0)), k_shot=k_shot,
                             n_query=2, na_rate=na_rate)
    return list(build_episodes(dev, protocol="episodic", setting=setting, seed=20_000 + seed, n_episodes=n_episodes,
                               small_relations="skip").episodes)


def dev_data(dev: Dataset, has_nota: bool = False) -> EpisodeData:
    return EpisodeData(instances=dev.by_id, relations=dev.relations, has_nota=has_nota, dataset_name=dev.name)


def episode_accuracy(head: Any, episodes: list[Episode], data: EpisodeData,
                     features: dict[str, Any] | None = None) -> float:
    """Accuracy of the arg-max relation over every query of ``episodes`` (no NOTA)."""
    features = head.prepare(episodes, data) if features is None else features
    right = total = 0
    for episode in episodes:
        best = head.episode_scores(episode, features).argmax(axis=1)
        right += sum(episode.relations[b] == gold for b, gold in zip(best, episode.labels, strict=True))
        total += len(episode.labels)
    return right / max(1, total)


class CheckpointSelector:
    """``on_checkpoint`` for ``train_episodic``: score each checkpoint on dev episodes, keep the best one on disk."""

    def __init__(self, make_head: HeadFactory, episodes: list[Episode], data: EpisodeData, keep_dir: Path,
                 label: dict[str, Any]):
        self.make_head, self.episodes, self.data, self.keep_dir = make_head, episodes, data, keep_dir
        self.label = label  # e.g. {"lr": 5e-5}: recorded with each score
        self.history: list[dict[str, Any]] = []
        self.best: dict[str, Any] | None = None

    def __call__(self, step: int, encoder: Any, tokenizer: Any) -> None:
        staging = Path(tempfile.mkdtemp(prefix=".checkpoint.", dir=self.keep_dir.parent))
        encoder.save_pretrained(staging, safe_serialization=True)
        tokenizer.save_pretrained(staging)
        score = episode_accuracy(self.make_head(staging, 0.0), self.episodes, self.data)
        self.history.append({**self.label, "steps": step, "dev_accuracy": round(score, 5)})
        if self.best is None or score > self.best["dev_accuracy"]:  # ties keep the earlier, shorter run
            shutil.rmtree(self.keep_dir, ignore_errors=True)
            staging.rename(self.keep_dir)
            self.best = self.history[-1]
        else:
            shutil.rmtree(staging, ignore_errors=True)


def checkpoint_steps(space: SelectionSpace, steps: int) -> tuple[int, ...]:
    return tuple(sorted({max(1, round(fraction * steps)) for fraction in space.checkpoints}))


def choose_fusion_weight(make_head: HeadFactory, encoder_dir: Path, dev: Dataset, space: SelectionSpace, *,
                         n_way: int, k_shot: int, seed: int) -> tuple[float, list[dict[str, float]]]:
    """The fusion weight with the best dev-relation accuracy at the evaluation's N and K."""
    episodes = dev_episodes(dev, n_way=n_way, k_shot=k_shot, n_episodes=space.dev_episodes, seed=seed)
    head = make_head(encoder_dir, 1.0)
    features = head.prepare(episodes, dev_data(dev))  # every view once; the weight only mixes the scores
    scores = []
    for weight in space.fusion_weights:
        head.fusion_weight = weight
        scores.append({"fusion_weight": weight, "dev_accuracy": round(episode_accuracy(head, episodes, dev_data(dev),
                                                                                       features), 5)})
    best = max(scores, key=lambda s: s["dev_accuracy"])  # first of the ties: the smallest weight
    return best["fusion_weight"], scores


def nota_threshold_on_dev(head: Any, dev: Dataset, *, n_way: int, k_shot: int, seed: int) -> float | None:
    """The accuracy-best NOTA threshold on dev-relation NOTA episodes; None with too few dev relations (<= N)."""
    from baselines.nota_calibration import calibrate_nota_threshold

    if len(dev.positive_relations) <= n_way:
        return None
    return calibrate_nota_threshold(head, dev, seed=seed, n_way=n_way, k_shot=k_shot)


def select_episodic(fit: Dataset, dev: Dataset, budget: Any, base: str, *, seed: int, device: str,
                    space: SelectionSpace, make_head: HeadFactory, namespace: str, key: str) -> Any:
    """Meta-train on ``fit`` once per candidate lr, score checkpoints on ``dev`` episodes, keep the best.

    Returns the ``EpisodicRun`` of the selected encoder (saved under ``namespace``/``key``, reused
    when complete); its info holds ``model_selection`` (every score, the choice) and the budget of
    the selected run next to what the whole selection spent.
    """
    from fsre_bench.training.saved_encoder import saved_encoder_lock

    # Locked from the reuse check to the save: the checkpoint folders are named by the key, and two
    # units of one fit (tkre and tkre-desc) started together must not train into the same folders.
    with saved_encoder_lock(namespace, key):
        return _select(fit, dev, budget, base, seed=seed, device=device, space=space, make_head=make_head,
                       namespace=namespace, key=key)


def _select(fit: Dataset, dev: Dataset, budget: Any, base: str, *, seed: int, device: str,
            space: SelectionSpace, make_head: HeadFactory, namespace: str, key: str) -> Any:
    from dataclasses import replace

    from baselines.episodic_training import EpisodicRun, train_episodic
    from fsre_bench.cache import cache_dir
    from fsre_bench.numerics import cache_namespace
    from fsre_bench.training.saved_encoder import adopt_encoder_dir, saved_encoder_dir, saved_encoder_info

    hit = saved_encoder_dir(namespace, key)
    if hit is not None:
        return EpisodicRun(hit, saved_encoder_info(hit), reused=True)
    episodes = dev_episodes(dev, n_way=budget.n_way, k_shot=space.dev_k_shot, n_episodes=space.dev_episodes, seed=seed)
    root = cache_dir(*cache_namespace(namespace))  # beside saved_encoder_dir's, per numerics mode
    steps = checkpoint_steps(space, budget.steps)
    best: tuple[CheckpointSelector, Any] | None = None
    history: list[dict[str, Any]] = []
    spent: dict[str, float] = {"steps": 0, "texts": 0, "tokens": 0, "wall_s": 0.0}
    for index, lr in enumerate(space.lrs or (budget.lr,)):
        selector = CheckpointSelector(make_head, episodes, dev_data(dev), root / f".{key}.lr{index}", {"lr": lr})
        run = train_episodic(fit, replace(budget, lr=lr), base, key, seed=seed, device=device, namespace=namespace,
                             checkpoints=steps, on_checkpoint=selector, save=False)
        history += selector.history
        spent = {k: spent[k] + run.info["budget"][k] for k in spent}
        if best is None or selector.best["dev_accuracy"] > best[0].best["dev_accuracy"]:
            if best is not None:
                shutil.rmtree(best[0].keep_dir, ignore_errors=True)
            best = (selector, run)
        else:
            shutil.rmtree(selector.keep_dir, ignore_errors=True)
    assert best is not None
    selector, run = best
    chosen = selector.best
    # What the selected checkpoint was trained with, counted (not prorated) when it was reached.
    selected_budget = next(b for b in run.info["checkpoint_budgets"] if b["steps"] == chosen["steps"])
    info = {"budget": selected_budget, "selection_budget": {**spent, "wall_s": round(spent["wall_s"], 2)},
            "base": base, "harness": run.info.get("harness"), "model_selection": {
                "dev_relations": dev.positive_relations,
                "trained_on": [r for r in fit.positive_relations if fit.instances.get(r)],
                "dev_episodes": len(episodes), "dev_setting": f"{episodes[0].n_way}-{space.dev_k_shot}",
                "history": history, "chosen": {"lr": chosen["lr"], "steps": chosen["steps"]},
                "space": space.selection_dict()}}
    return EpisodicRun(adopt_encoder_dir(namespace, key, selector.keep_dir, info), info)


@dataclass
class MetaTrained:
    """What ``meta_train`` made: the evaluated encoder's run, the dev relations (None: no selection),
    and the selection run, whose encoder (it never saw a dev relation) picks the fusion weight and
    NOTA threshold on them; with ``refit`` "none" it is the evaluated one too."""

    run: Any  # EpisodicRun of the evaluated encoder
    dev: Dataset | None = None
    selected: Any = None  # EpisodicRun of the selection encoder (None: no selection)

    @property
    def tuning_dir(self) -> Path | None:
        return None if self.selected is None else self.selected.path

    @property
    def refit(self) -> bool:
        """The evaluated encoder is not the selection one (it was trained again on all relations)."""
        return self.selected is not None and self.selected.path != self.run.path

    def fitted(self, kind: str) -> list[dict[str, Any]]:
        """``fitted_models`` entries: the evaluated encoder, and the selection one when it is another."""
        runs = [(kind, self.run), *([(f"{kind} (selection, without the dev relations)", self.selected)]
                                    if self.refit else [])]
        return [{"kind": label, "cache_key": run.path.name, "reused": run.reused, "produced_by": run.info.get("harness"),
                 "weights_sha256": _weights_sha256(run.path)} for label, run in runs]

    @property
    def trained_on(self) -> list[str] | None:
        """The relations the evaluated encoder was meta-trained on (None: no selection record, i.e. all of them)."""
        selection = self.run.info.get("model_selection")
        return None if selection is None else (selection.get("refit") or selection)["trained_on"]


def meta_train(train: Dataset, budget: Any, base: str, *, seed: int, device: str, space: SelectionSpace,
               make_head: HeadFactory, namespace: str, key_parts: Sequence[Any],
               refit_base: Callable[[], str] | None = None) -> MetaTrained:
    """The episodic meta-training proto-ft and TKRE share.

    With ``space.dev_relations`` > 0, ``train`` is split, the encoder is meta-trained on the rest
    with checkpoint selection on the dev relations (``select_episodic``), then (``space.refit`` "all")
    trained again on all of ``train`` with the choice (``refit_on_all``), from ``refit_base()`` when
    given (TKRE: its encoder pre-trained on all the training relations) else from ``base``; with 0,
    plain ``train_episodic`` on all training relations. The cache key covers the base encoder's
    weights, the data, the budget, the selection space and the seed.
    """
    from baselines.episodic_training import train_episodic
    from fsre_bench.encoders.identity import encoder_identity

    # selection_dict: the same selection run serves refit "all" and "none" (and kept the keys of before the refit)
    key = content_hash("meta-train/2", encoder_identity(base), asdict(budget), space.selection_dict(), seed, *key_parts)
    if space.dev_relations == 0:
        return MetaTrained(train_episodic(train, budget, base, key, seed=seed, device=device, namespace=namespace))
    fit, dev = split_dev_relations(train, space.dev_relations, seed, space.dev_split)
    selected = select_episodic(fit, dev, budget, base, seed=seed, device=device, space=space, make_head=make_head,
                               namespace=namespace, key=key)
    if space.refit == "none":
        _record_space(selected, space, selected)
        return MetaTrained(selected, dev, selected)
    run = refit_on_all(train, budget, refit_base() if refit_base is not None else base, selected, seed=seed,
                       device=device, namespace=namespace)
    _record_space(run, space, selected)
    return MetaTrained(run, dev, selected)


def _record_space(run: Any, space: SelectionSpace, selected: Any) -> None:
    """The selection record says the space of *this* call (a cached run may have been made under the other
    refit) and which cached selection run chose."""
    run.info["model_selection"] = {**run.info["model_selection"], "space": space.to_dict(),
                                   "selection_key": selected.path.name}


def refit_on_all(train: Dataset, budget: Any, base: str, selected: Any, *, seed: int, device: str,
                 namespace: str) -> Any:
    """Meta-train ``base`` on every relation of ``train`` with the selected lr for the selected steps.

    The schedule is the selection run's (warm-up and decay over ``budget.steps``, stopped at the
    chosen step), so the refit differs from the selected checkpoint only in its data (and, for
    TKRE, its pre-training data). Cached under a key of the selection run, the base weights and
    the data; the info keeps the selection record with a ``refit`` entry and what the selection spent.
    """
    from dataclasses import replace

    from baselines.episodic_training import train_episodic
    from fsre_bench.encoders.identity import encoder_identity

    selection = selected.info["model_selection"]
    chosen = selection["chosen"]
    key = content_hash("refit/1", selected.path.name, encoder_identity(base), chosen, train.source_sha256,
                       sorted(train.by_id))
    refit = {"trained_on": [r for r in train.positive_relations if train.instances.get(r)], **chosen,
             "base": encoder_identity(base)}
    return train_episodic(train, replace(budget, lr=chosen["lr"]), base, key, seed=seed, device=device,
                          namespace=namespace, stop_after=chosen["steps"],
                          info_extra={"model_selection": {**selection, "refit": refit},
                                      "selection_budget": selected.info["selection_budget"]})


class DevTuning:
    """Per evaluation shape (N, K): the fusion weight and the NOTA threshold, chosen on the dev relations.

    Without dev relations (``select_dev_relations`` 0) the weight stays as given and the NOTA
    threshold comes from ``nota`` (training relations); with too few dev relations for NOTA
    episodes at N (<= N) likewise, and the record says so.
    """

    def __init__(self, space: SelectionSpace, make_head: HeadFactory, seed: int):
        self.space, self.make_head, self.seed = space, make_head, seed
        self.dev: Dataset | None = None
        self.encoder_dir: Path | None = None
        self.record: dict[str, Any] = {}

    def threshold(self, head: Any, episodes: list[Episode], data: EpisodeData, nota: Any) -> float | None:
        """Set ``head.fusion_weight`` for this shape and return the NOTA threshold to use (None: no NOTA)."""
        n_way, k_shot = episodes[0].n_way, len(episodes[0].support[0])
        shape = f"{n_way}-{k_shot}"
        chosen = self.record.setdefault(shape, {})
        if head.fuse_descriptions and self.dev is not None and self.encoder_dir is not None:
            if "fusion_weight" not in chosen:
                chosen["fusion_weight"], chosen["fusion_scores"] = choose_fusion_weight(
                    self.make_head, self.encoder_dir, self.dev, self.space, n_way=n_way, k_shot=k_shot, seed=self.seed)
            head.fusion_weight = chosen["fusion_weight"]
        if not data.has_nota or nota.fixed is not None:
            return nota.for_episodes(head, episodes, data)
        if "nota_threshold" not in chosen and self.dev is not None:
            # the selection encoder's scores: a refit head has trained on the dev relations, and a threshold
            # calibrated on relations it knows would be set for seen relations, not new ones
            judge = head if self.encoder_dir is None else self.make_head(self.encoder_dir, head.fusion_weight)
            value = nota_threshold_on_dev(judge, self.dev, n_way=n_way, k_shot=k_shot, seed=self.seed)
            if value is not None:
                chosen.update(nota_threshold=value, nota_calibrated_on="dev relations",
                              nota_calibrated_with=("the evaluated encoder" if self.encoder_dir is None else
                                                    f"the selection encoder {self.encoder_dir.name}"))
        if "nota_threshold" in chosen:
            nota.value = chosen["nota_threshold"]
            return nota.value
        chosen["nota_calibrated_on"] = ("training relations (no dev relations held out)" if self.dev is None else
                                        "training relations (too few dev relations for NOTA episodes at this N)")
        return nota.for_episodes(head, episodes, data)


def _weights_sha256(path: Path) -> str | None:
    """The trained weights' sha256: two machines agree on a trained model exactly when these do (fsre_bench/numerics.py)."""
    weights = Path(path) / "model.safetensors"
    return file_sha256(weights) if weights.is_file() else None
