"""Prototypical networks over a frozen encoder: ``proto`` and ``proto-desc`` (SimpleFSRE-style).

All unique instances of all episodes are embedded in one pass (the encoder caches in memory and
on disk), then each episode is a few small matrix products: encoding, not episodes, is the cost.
The scoring is ``PrototypeHead``'s (baselines/prototype_head.py), which proto-ft and TKRE hold too.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from baselines.nota_calibration import NotaThreshold
from baselines.prototype_head import PrototypeHead
from baselines.specs import PROTO_REPRESENTATION
from fsre_bench.encoders import load_encoder
from fsre_bench.methods.interface import MethodConfig
from fsre_bench.types import Dataset, Episode, EpisodeData, EpisodePrediction, MethodMeta


class ProtoMethod:
    """Nearest prototype (cosine) of entity-aware frozen-encoder representations."""

    name = "proto"
    fuse_descriptions = False
    description = "frozen encoder, {representation} representation, cosine to prototypes"

    def __init__(self, config: MethodConfig):
        self.config = config
        self.encoder = load_encoder(config.encoder, device=config.device, batch_size=config.batch_size)
        self.head = PrototypeHead(self.encoder, config.option(PROTO_REPRESENTATION.name, PROTO_REPRESENTATION.default),
                                  fuse_descriptions=self.fuse_descriptions)
        self.nota = NotaThreshold.from_config(self.name, config)

    @property
    def meta(self) -> MethodMeta:
        representation = self.head.representation
        return MethodMeta(
            name=self.name,
            type="metric",
            backbone=self.encoder.name,
            parameters=MINILM_PARAMETERS if self.config.encoder is None else None,
            description=self.description.format(representation=representation),
            extra=head_extra(self.head, self.nota),
        )

    def fit(self, train: Dataset | None) -> None:
        """Frozen: nothing to train. Training relations are kept only to calibrate a NOTA threshold."""
        self.nota.train = train

    def predict(self, episodes: Sequence[Episode], data: EpisodeData) -> Iterator[EpisodePrediction]:
        threshold = self.nota.for_episodes(self.head, list(episodes), data)  # first: a missing --train fails early
        yield from self.head.predict(episodes, data, threshold)

    def close(self) -> None:
        return None


class ProtoDescMethod(ProtoMethod):
    """``proto`` plus a sentence-level view whose prototype is fused with the relation's description.

    score = cos(entity view) + cos(sentence view), where the sentence-view prototype is
    normalise(mean of support sentence embeddings + embedding of "name: description"), as
    SimpleFSRE adds the relation representation to the prototype.
    """

    name = "proto-desc"
    fuse_descriptions = True
    description = "proto + sentence view with prototypes fused with relation name/description"


def head_extra(head: PrototypeHead, nota: NotaThreshold) -> dict:
    """What a prototype method reports about its head: the view, the encoder it scored with, the threshold."""
    return {"representation": head.representation, "encoder_identity": head.encoder.identity,
            "nota_threshold": nota.value, "encoder_stats": head.encoder.stats.as_dict()}


MINILM_PARAMETERS = 22_713_216  # all-MiniLM-L6-v2, counted with Encoder.parameter_count()
