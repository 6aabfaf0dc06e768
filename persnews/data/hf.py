"""Documents → ``datasets.DatasetDict`` of word-level BIO examples, and sub-word label alignment.

Each document is read the way the model reads it at inference: the words of
the normalised view (:func:`persnews.normalization.normalize`, then
:func:`persnews.segmentation.sentences`), packed sentence by sentence into
examples of at most ``max_words`` words (a corpus sentence is usually one
example). A word is tagged by where it *starts*: ``B-X`` when it is the first
word starting inside an entity of label ``X``, ``I-X`` for the next ones.

Columns: ``id`` (``<document id>#<k>``), ``source`` (``peyma``, ``arman``,
``nsurl``, ``parstwiner``, ``authored`` or ``layer:<name>``), ``has_role``
(False for plain corpus sentences, whose ROLE was never annotated),
``tokens`` and ``ner_tags`` (``ClassLabel`` over :data:`BIO_TAGS`). Split
names are the release's: ``train``, ``dev``, ``test``.

``datasets`` (and pyarrow) are imported only by the functions that build
datasets, so the rest of the data layer works without them.

>>> doc = Document.from_dict({"id": "d", "text": "حسین نوری، معاون فنی شهرداری گفت",
...     "entities": [{"start": 0, "end": 9, "label": "PER"}, {"start": 11, "end": 20, "label": "ROLE"}]})
>>> example = document_examples(doc)[0]
>>> list(zip(example.tokens, example.tags))[:5]
[('حسین', 'B-PER'), ('نوری', 'I-PER'), ('،', 'O'), ('معاون', 'B-ROLE'), ('فنی', 'I-ROLE')]
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence, TypeVar

from ..document import Document
from ..errors import DataFormatError
from ..normalization import ZWNJ, normalize
from ..segmentation import Token, sentences
from .corpora import CORPORA, corpora_root, import_corpus
from .labels import BIO_TAGS, TAG_IDS, repair_bio, word_tags
from .release import read_release
from .splits import SPLITS, corpus_split
from .standoff import LAYER_PREFIX, join_layer, split_layer_id

if TYPE_CHECKING:
    from datasets import Dataset, DatasetDict

MAX_WORDS = 200
IGNORE_INDEX = -100
_DATASET = TypeVar("_DATASET", "Dataset", "DatasetDict")


@dataclass(frozen=True)
class Example:
    """One training example: words of the normalised view and their BIO tags."""

    id: str
    source: str
    has_role: bool
    tokens: tuple[str, ...]
    tags: tuple[str, ...]


def source_of(doc_id: str) -> tuple[str, bool]:
    """``(source, has_role)`` from a document id: ``peyma/train/3`` is a plain corpus sentence (no ROLE),
    ``layer:<name>/...`` a layered one, anything else one of our authored documents."""
    if doc_id.startswith(LAYER_PREFIX):
        return split_layer_id(doc_id)[0], True
    parts = doc_id.split("/")
    if len(parts) == 3 and parts[0] in CORPORA:
        return parts[0], False
    return "authored", True


def document_examples(doc: Document, *, max_words: int = MAX_WORDS) -> list[Example]:
    """The examples of one document: whole sentences packed up to ``max_words`` words, long sentences cut."""
    if max_words < 1:
        raise ValueError("max_words must be positive")
    if not doc.id:
        raise DataFormatError("every training document needs an id")
    source, has_role = source_of(doc.id)
    spans = [(e.start, e.end, e.label) for e in doc.entities]
    chunks: list[list[Token]] = []
    current: list[Token] = []
    for sentence in sentences(normalize(doc.text)):
        words = list(sentence.tokens)
        for piece in (words[i:i + max_words] for i in range(0, len(words), max_words)):
            if current and len(current) + len(piece) > max_words:
                chunks.append(current)
                current = []
            current += piece
    if current:
        chunks.append(current)
    examples = []
    for k, chunk in enumerate(chunks):
        tags = repair_bio(word_tags([w.start for w in chunk], spans))
        examples.append(Example(f"{doc.id}#{k}", source, has_role, tuple(w.text for w in chunk), tuple(tags)))
    return examples


@dataclass(frozen=True)
class Augmentation:
    """Probabilities of the noise :func:`augment_example` adds (real news text shows all three).

    The pipeline normalises its input, so at inference the model never sees
    Arabic «ي/ك»; that noise only helps callers who feed raw words.
    """

    strip_zwnj: float = 0.3
    """per word containing a ZWNJ: drop it («می‌شود» → «میشود»)."""
    arabic_letters: float = 0.2
    """per example: write «ی/ک» as Arabic «ي/ك»."""
    punctuation_space: float = 0.2
    """per punctuation mark: remove the space before it (or after an opening one), or add one inside a word."""


_ARABIC = str.maketrans({"ی": "ي", "ک": "ك"})
_PUNCTUATION = set("،؛:.!؟?»«()[]\"'…-")
_OPENING = set("«([")


def _is_punctuation(token: str) -> bool:
    return all(ch in _PUNCTUATION for ch in token)


def augment_example(tokens: Sequence[str], tags: Sequence[str], rng: random.Random,
                    config: Augmentation = Augmentation()) -> tuple[list[str], list[str]]:
    """A noisy copy of ``(tokens, tags)``: ZWNJ stripped, Arabic letters, spaces around punctuation changed.

    Pure: the result depends only on the arguments and ``rng``'s state. A
    punctuation mark merged into a word takes the word's tag; a mark split off
    a word is ``O`` unless it sits inside an entity. Tags stay strict IOB2.
    """
    words = [t.replace(ZWNJ, "") if ZWNJ in t and rng.random() < config.strip_zwnj else t for t in tokens]
    if rng.random() < config.arabic_letters:
        words = [w.translate(_ARABIC) for w in words]
    out_words: list[str] = []
    out_tags: list[str] = []
    pending = ""  # an opening mark waiting to be glued to the next word
    for k, (word, tag) in enumerate(zip(words, tags)):
        if _is_punctuation(word) and not pending and rng.random() < config.punctuation_space:
            if word[0] in _OPENING and k + 1 < len(words) and not _is_punctuation(words[k + 1]):
                pending = word
                continue
            if word[0] not in _OPENING and out_words:
                out_words[-1] += word
                continue
        if len(word) > 1 and word[-1] in _PUNCTUATION and not _is_punctuation(word) \
                and rng.random() < config.punctuation_space:
            inside = tag != "O" and k + 1 < len(tags) and tags[k + 1] == "I-" + tag[2:]
            out_words += [pending + word[:-1], word[-1]]
            out_tags += [tag, "I-" + tag[2:] if inside else "O"]
        else:
            out_words.append(pending + word)
            out_tags.append(tag)
        pending = ""
    return out_words, repair_bio(out_tags)


def _features() -> Any:
    from datasets import ClassLabel, Features, Sequence as HFSequence, Value

    return Features({"id": Value("string"), "source": Value("string"), "has_role": Value("bool"),
                     "tokens": HFSequence(Value("string")), "ner_tags": HFSequence(ClassLabel(names=list(BIO_TAGS)))})


def _dataset(examples: Sequence[Example]) -> Dataset:
    from datasets import Dataset

    return Dataset.from_dict({"id": [e.id for e in examples], "source": [e.source for e in examples],
                              "has_role": [e.has_role for e in examples],
                              "tokens": [list(e.tokens) for e in examples],
                              "ner_tags": [[TAG_IDS[t] for t in e.tags] for e in examples]}, features=_features())


def build_dataset_dict(train_docs: Sequence[Document], dev_docs: Sequence[Document], test_docs: Sequence[Document],
                       *, augment: bool = False, seed: int = 0, max_words: int = MAX_WORDS,
                       augmentation: Augmentation = Augmentation()) -> DatasetDict:
    """A ``DatasetDict`` with splits ``train``, ``dev``, ``test`` (see the module docstring for columns).

    With ``augment``, each train example that :func:`augment_example` changes
    is followed by its noisy copy (id ``<id>+aug``); the random stream of an
    example depends only on ``seed`` and its id, so the result is the same
    whatever the document order.
    """
    from datasets import DatasetDict

    parts = {}
    for name, docs in zip(SPLITS, (train_docs, dev_docs, test_docs)):
        examples = [example for doc in docs for example in document_examples(doc, max_words=max_words)]
        if augment and name == "train":
            noisy = []
            for example in examples:
                noisy.append(example)
                words, tags = augment_example(example.tokens, example.tags, random.Random(f"{seed}:{example.id}"),
                                              augmentation)
                if (tuple(words), tuple(tags)) != (example.tokens, example.tags):
                    noisy.append(Example(example.id + "+aug", example.source, example.has_role,
                                         tuple(words), tuple(tags)))
            examples = noisy
        parts[name] = _dataset(examples)
    return DatasetDict(parts)


def training_documents(release: str | Path, *, corpora: Sequence[str] = (), corpora_dir: str | Path | None = None,
                       arman_test_fold: str = "fold3") -> dict[str, list[Document]]:
    """The documents of each split: the release's, its layers joined with the corpora, and whole corpora.

    Layered and corpus sentences keep the split :func:`corpus_split` gives
    them; a corpus sentence that a layer annotates is used once, with the
    layer's annotations. Two layers annotating one sentence raise
    :class:`DataFormatError`.
    """
    unknown = [name for name in corpora if name not in CORPORA]
    if unknown:
        raise ValueError(f"unknown corpora {unknown}; expected some of {', '.join(CORPORA)}")
    loaded = read_release(release)
    result = {name: list(loaded.split(name)) for name in SPLITS}
    layered: dict[str, str] = {}
    clashes = []
    for layer in loaded.layers:
        for doc in join_layer(layer, corpora_dir):
            corpus_id = split_layer_id(doc.id)[1]
            if corpus_id in layered:
                clashes.append(f"{corpus_id} is annotated by layers {layered[corpus_id]!r} and {layer.name!r}")
            layered[corpus_id] = layer.name
            result[corpus_split(corpus_id, arman_test_fold=arman_test_fold)].append(doc)
    if clashes:
        raise DataFormatError(f"{release}: layers overlap", clashes)
    for name in corpora:
        for doc in import_corpus(name, corpora_root(corpora_dir) / CORPORA[name].folder).documents:
            if doc.id not in layered:
                result[corpus_split(doc.id, arman_test_fold=arman_test_fold)].append(doc)
    return result


def load_dataset_dict(release: str | Path, *, corpora: Sequence[str] = (), corpora_dir: str | Path | None = None,
                      arman_test_fold: str = "fold3", augment: bool = False, seed: int = 0,
                      max_words: int = MAX_WORDS) -> DatasetDict:
    """:func:`build_dataset_dict` over :func:`training_documents`: a release (plus corpora and layers) to train on."""
    docs = training_documents(release, corpora=corpora, corpora_dir=corpora_dir, arman_test_fold=arman_test_fold)
    return build_dataset_dict(*(docs[name] for name in SPLITS), augment=augment, seed=seed, max_words=max_words)


_INSIDE = {TAG_IDS[tag]: TAG_IDS["I-" + tag[2:]] for tag in BIO_TAGS if tag.startswith("B-")}


def align_labels(word_ids: Sequence[int | None], tags: Sequence[int], *, label_all_subtokens: bool = False) -> list[int]:
    """Sub-token labels from word tag ids: special tokens get -100; a word's first sub-token its tag; the
    rest -100, or with ``label_all_subtokens`` the tag too (``B-X`` continued as ``I-X``).

    >>> align_labels([None, 0, 0, 1, None], [1, 0])
    [-100, 1, -100, 0, -100]
    >>> align_labels([None, 0, 0, 1, None], [1, 0], label_all_subtokens=True)
    [-100, 1, 2, 0, -100]
    """
    labels, previous = [], None
    for word in word_ids:
        if word is None:
            labels.append(IGNORE_INDEX)
        elif word != previous:
            labels.append(tags[word])
        elif label_all_subtokens:
            labels.append(_INSIDE.get(tags[word], tags[word]))
        else:
            labels.append(IGNORE_INDEX)
        previous = word
    return labels


def tokenize_and_align(dataset: _DATASET, tokenizer: Any, *, max_length: int,
                       label_all_subtokens: bool = False) -> _DATASET:
    """Add ``input_ids``, ``attention_mask`` (and what else the tokenizer returns) and aligned ``labels``.

    Needs a fast tokenizer (for ``word_ids()``); words past ``max_length``
    sub-tokens are truncated, as in transformers' token-classification example.
    """
    if not getattr(tokenizer, "is_fast", False):
        raise ValueError("tokenize_and_align needs a fast tokenizer (one that provides word_ids())")

    def encode(batch: dict[str, list[Any]]) -> Any:
        encoded = tokenizer(batch["tokens"], is_split_into_words=True, truncation=True, max_length=max_length)
        encoded["labels"] = [align_labels(encoded.word_ids(i), tags, label_all_subtokens=label_all_subtokens)
                             for i, tags in enumerate(batch["ner_tags"])]
        return encoded

    return dataset.map(encode, batched=True)
