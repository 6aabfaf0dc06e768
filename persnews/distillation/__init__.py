"""Distillation: a teacher tagger labels unlabelled text (:mod:`.labelling`), and a student trains on those
silver sentences beside the gold data (:mod:`.silver`; ``persnews train --train ... silver:DIR:soft``).

    persnews distil label --teacher persnews-fa-base --output runs/silver
    persnews train ... --train data/releases/v1:train ... silver:runs/silver:soft
"""

from .labelling import LabelSummary, label_corpus
from .silver import SilverSentence, read_silver

__all__ = ["label_corpus", "LabelSummary", "read_silver", "SilverSentence"]
