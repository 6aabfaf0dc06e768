"""Release folders: writing, reading, manifests, statistics, building from authored markup, merging.

A release is ``data/releases/<name>/`` with ``train.jsonl``, ``dev.jsonl``,
``test.jsonl`` (documents in the guidelines' JSONL shape), optional stand-off
layers under ``layers/`` and a ``manifest.json``: schema version, label set,
document/entity/relation counts per split and label, the sha256 of every
file, and the sources. A release is validated before it replaces the old
folder, so a failed or invalid write leaves the previous release untouched.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp()) / "r1"
>>> docs = [Document(f"خبر شماره {i}", id=f"d{i}") for i in range(20)]
>>> release = write_release(folder, split_release(docs, sources=("example",)))
>>> [len(release.split(name)) for name in SPLITS]
[17, 1, 2]
>>> read_release(folder) == release
True
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..document import LABELS, Document
from ..errors import DataFormatError
from .authoring import read_markup
from .jsonl import documents_jsonl, read_documents, read_text, replaced_directory, write_text_atomic
from .splits import DEV_FRACTION, SPLITS, TEST_FRACTION, split_documents
from .standoff import Layer, join_layer, read_layer, write_layer
from .validation import MANIFEST, SCHEMA_VERSION, check_release, file_sha256, text_key, validate_paths

LAYER_FOLDER = "layers"


@dataclass(frozen=True)
class Release:
    """The documents of each split, the stand-off layers, and where they came from."""

    train: tuple[Document, ...] = ()
    dev: tuple[Document, ...] = ()
    test: tuple[Document, ...] = ()
    layers: tuple[Layer, ...] = ()
    sources: tuple[str, ...] = ()

    def split(self, name: str) -> tuple[Document, ...]:
        if name not in SPLITS:
            raise ValueError(f"unknown split {name!r}; expected one of {SPLITS}")
        return getattr(self, name)


def split_release(documents: Sequence[Document], *, layers: Sequence[Layer] = (), sources: Sequence[str] = (),
                  test: float = TEST_FRACTION, dev: float = DEV_FRACTION) -> Release:
    """A release from unsplit documents, split deterministically by id (see :mod:`persnews.data.splits`)."""
    missing = [k for k, doc in enumerate(documents) if not doc.id]
    if missing:
        raise DataFormatError("every released document needs an id", [f"document {k} has no id" for k in missing])
    parts = split_documents(documents, [doc.id for doc in documents], test=test, dev=dev)
    return Release(*(tuple(parts[name]) for name in SPLITS), layers=tuple(layers), sources=tuple(sources))


def counts(documents: Iterable[Document]) -> dict[str, Any]:
    """Documents, entities per label and relations: the numbers the manifest and the stats table show."""
    documents = list(documents)
    labels = Counter(e.label for doc in documents for e in doc.entities)
    return {"documents": len(documents), "entities": {label: labels[label] for label in LABELS},
            "relations": sum(len(doc.relations) for doc in documents)}


def _layer_counts(layer: Layer) -> dict[str, Any]:
    labels = Counter(label for s in layer.sentences for _, _, label in s.entities)
    return {"sentences": len(layer.sentences), "entities": {label: labels[label] for label in LABELS},
            "relations": sum(len(s.relations) for s in layer.sentences)}


def build_manifest(release: Release, file_hashes: dict[str, str]) -> dict[str, Any]:
    """The manifest of ``release`` whose written files have the sha256 digests ``file_hashes``."""
    return {"schema_version": SCHEMA_VERSION, "labels": list(LABELS), "sources": list(release.sources),
            "splits": {name: counts(release.split(name)) for name in SPLITS},
            "layers": [{"name": layer.name, "file": f"{LAYER_FOLDER}/{layer.name}.jsonl", **_layer_counts(layer)}
                       for layer in release.layers],
            "files": dict(sorted(file_hashes.items()))}


def write_release(directory: str | Path, release: Release) -> Release:
    """Write ``release`` to ``directory`` (replacing it only once the new folder validates); returns it."""
    names = [layer.name for layer in release.layers]
    if len(set(names)) != len(names):
        raise DataFormatError(f"{directory}: two layers share a name: {sorted(names)}")
    with replaced_directory(directory) as staging:
        hashes = {}
        for name in SPLITS:
            write_text_atomic(staging / f"{name}.jsonl", documents_jsonl(release.split(name)))
        for layer in release.layers:
            write_layer(staging / LAYER_FOLDER / f"{layer.name}.jsonl", layer)
        for path in sorted(p for p in staging.rglob("*.jsonl")):
            hashes[path.relative_to(staging).as_posix()] = file_sha256(path)
        manifest = build_manifest(release, hashes)
        write_text_atomic(staging / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
        problems = [p.replace(str(staging), str(directory)) for p in validate_paths([staging])]
        if problems:
            raise DataFormatError(f"{directory}: refusing to write an invalid release", problems)
    return read_release(directory)


def read_release(directory: str | Path) -> Release:
    """Read a release folder; an invalid one raises :class:`DataFormatError` with every problem."""
    directory = Path(directory)
    check_release(directory)
    manifest = json.loads(read_text(directory / MANIFEST))
    splits = [tuple(doc for _, doc in read_documents(directory / f"{name}.jsonl")) for name in SPLITS]
    layers = tuple(read_layer(directory / entry["file"]) for entry in manifest.get("layers", []))
    return Release(*splits, layers=layers, sources=tuple(manifest.get("sources", [])))


def read_any_documents(path: str | Path) -> list[Document]:
    """The documents of a release folder (train, dev, test in that order) or of one JSONL file."""
    path = Path(path)
    if path.is_dir():
        release = read_release(path)
        return [doc for name in SPLITS for doc in release.split(name)]
    return [doc for _, doc in read_documents(path)]


def stats_table(release: Release) -> str:
    """A plain-text table of documents, entities per label and relations, per split and in total."""
    header = ["split", "documents", *LABELS, "relations"]
    rows = []
    for name, numbers in [*((n, counts(release.split(n))) for n in SPLITS),
                          ("total", counts(d for n in SPLITS for d in release.split(n))),
                          *((f"layer:{layer.name}", {**_layer_counts(layer), "documents": len(layer.sentences)})
                            for layer in release.layers)]:
        rows.append([name, numbers["documents"], *(numbers["entities"][label] for label in LABELS),
                     numbers["relations"]])
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(cell).ljust(w) if i == 0 else str(cell).rjust(w) for i, (cell, w) in
                       enumerate(zip(row, widths))) for row in [header, *rows]]
    return "\n".join(lines)


def release_stats(directory: str | Path) -> str:
    """The stats table of the release folder ``directory``."""
    return stats_table(read_release(directory))


def build_release(directory: str | Path, authored: Sequence[str | Path], layers: Sequence[str | Path] = (), *,
                  documents: Sequence[str | Path] = (), corpora: str | Path | None = None,
                  test: float = TEST_FRACTION, dev: float = DEV_FRACTION) -> Release:
    """Build a release from authored markup files, document JSONL files and layer files, and write it.

    ``documents`` takes JSONL such as a corrected Label Studio export brought
    back with ``data import labelstudio``. Splits are deterministic (by id).
    Layers are joined with the corpora first (``corpora`` or the default
    corpora folder), so a layer that does not fit its corpus is never released.
    """
    if not authored and not documents and not layers:
        raise DataFormatError(f"{directory}: nothing to release (no authored, document or layer files given)")
    authored, documents = sorted(map(Path, authored)), sorted(map(Path, documents))
    docs = [doc for path in authored for doc in read_markup(path)]
    docs += [doc for path in documents for _, doc in read_documents(path)]
    parsed_layers = [read_layer(path) for path in layers]
    for layer in parsed_layers:
        join_layer(layer, corpora)
    sources = [f"authored:{p.name}" for p in authored] + [f"documents:{p.name}" for p in documents]
    sources += [f"layer:{layer.name}" for layer in parsed_layers]
    return write_release(directory, split_release(docs, layers=parsed_layers, sources=sources, test=test, dev=dev))


@dataclass(frozen=True)
class Merged:
    """A merged release and one line per document dropped or moved to keep texts unique and splits disjoint."""

    release: Release
    notes: tuple[str, ...]


_HELD_OUT = {"train": 0, "dev": 1, "test": 2}


def merge_releases(first: Release, second: Release) -> Merged:
    """Merge two releases: one document per text (:func:`text_key`), splits kept disjoint.

    A text found in several splits goes to the most held-out one (test, then
    dev, then train), so nothing evaluated in either release is trained on;
    the first release's copy is kept. Two different texts under one id, or two
    different layers under one name, raise :class:`DataFormatError`.
    """
    chosen: dict[str, tuple[Document, str, str]] = {}
    order: list[str] = []
    notes: list[str] = []
    by_id: dict[str, str] = {}
    conflicts: list[str] = []
    for origin, release in (("A", first), ("B", second)):
        for split in SPLITS:
            for doc in release.split(split):
                key = text_key(doc.text)
                if by_id.setdefault(doc.id, key) != key:
                    conflicts.append(f"{origin} {split}: id {doc.id!r} names two different texts")
                if key not in chosen:
                    chosen[key] = (doc, split, f"{origin} {split}")
                    order.append(key)
                    continue
                kept, kept_split, kept_where = chosen[key]
                notes.append(f"dropped {origin} {split} {doc.id!r}: same text as {kept_where} {kept.id!r}")
                if _HELD_OUT[split] > _HELD_OUT[kept_split]:
                    notes.append(f"moved {kept.id!r} from {kept_split} to {split}")
                    chosen[key] = (kept, split, kept_where)
    layers: dict[str, Layer] = {}
    for layer in (*first.layers, *second.layers):
        if layer.name in layers and layers[layer.name].sentences != layer.sentences:
            conflicts.append(f"layer {layer.name!r} differs between the releases")
        layers.setdefault(layer.name, layer)
    if conflicts:
        raise DataFormatError("cannot merge the releases", conflicts)
    splits = {name: tuple(chosen[k][0] for k in order if chosen[k][1] == name) for name in SPLITS}
    sources = tuple(dict.fromkeys((*first.sources, *second.sources)))
    return Merged(Release(**splits, layers=tuple(layers.values()), sources=sources), tuple(notes))


def merge_release_dirs(first: str | Path, second: str | Path, output: str | Path) -> Merged:
    """Read two release folders, merge them (:func:`merge_releases`) and write the result to ``output``."""
    merged = merge_releases(read_release(first), read_release(second))
    return Merged(write_release(output, merged.release), merged.notes)
