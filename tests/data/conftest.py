"""Tiny fixtures shared by the data-layer tests: documents, markup files and a fake corpora folder."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Callable, Iterator

import pytest

from persnews.document import Document

PEYMA_TRAIN = "\n".join([
    "حسین|B_PER", "نوری|I_PER", "رئیس|O", "شهرداری|B_ORG", "تهران|I_ORG", "گفت|O", "", "",
    "کار|O", "نمی شود|O", "| |O", "امروز|B_DAT", "", "مریم|I_PER", "احمدی|I_PER", "در|O", "کرمان|B_LOC", ".|O", ""])
PEYMA_DEV = "سازمان های|B_ORG\nملل|I_ORG\n"
PEYMA_TEST = "علی|B_PER\n"
ARMAN_FOLD = "علی B-pers\nبه O\nبرج B-fac\nمیلاد I-fac\nرفت O\n\nبانک B-org\nملی I-org\n"
NSURL = "\n".join([
    "وزیر\tO", "کشور\tO", "محمد\tB-PER", "رضایی\tI-PER", "", "شدO", ".", "", "کل\tOB-ORG", "استقلال\tB-ORGO",
    "\tO", "تهران\tB-LOC", "سایپا\tI-ORG", ""])
PARSTWINER = "سلام\tO\nایران\tB-LOC\nایرانی\tB-NAT\n"
FARS_NEWS = [  # invented articles in the news-raw layout, Arabic «ي» as Fars News writes it
    {"title": "عنوان", "abstract": "خلاصه", "paragraphs": [
        "خبر کوتاه", "حسين نوري، رئيس شهرداري تهران گفت: کار تمام شد. مريم احمدی در کرمان بود."]},
    {"title": "عنوان دوم", "abstract": "", "paragraphs": ["سخنگوی شورا امروز آمد."]},
    {"title": "عنوان سوم", "abstract": "", "paragraphs": ["علی رضایی نماينده مردم کرمان گفت."]}]


@pytest.fixture
def fake_corpora(tmp_path: Path) -> Path:
    """A corpora folder in the shared layout, a few sentences per corpus, with NSURL's kinds of broken line."""
    root = tmp_path / "corpora"
    files = {"peyma/train.txt": PEYMA_TRAIN, "peyma/dev.txt": PEYMA_DEV, "peyma/test.txt": PEYMA_TEST,
             "arman/fold1.txt": ARMAN_FOLD, "arman/fold2.txt": ARMAN_FOLD, "arman/fold3.txt": ARMAN_FOLD,
             "nsurl2019/train-600k.txt": NSURL, "parstwiner/train.txt": PARSTWINER,
             "parstwiner/dev.txt": PARSTWINER, "parstwiner/test.txt": PARSTWINER}
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def fake_news(fake_corpora: Path) -> Path:
    """``news-raw/fars-news-1.json`` (three invented articles) in the fake corpora folder; returns the file."""
    path = fake_corpora / "news-raw" / "fars-news-1.json"
    path.parent.mkdir()
    path.write_text(json.dumps(FARS_NEWS, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def make_doc() -> Callable[..., Document]:
    """``make_doc(id, text, [(surface, label), ...], [(p, r, i), ...])``: entities found by surface, in order;
    a relation ``(p, r, i, True)`` is a former office."""

    def make(doc_id: str, text: str, entities: list[tuple[str, str]] = (), relations=()) -> Document:
        spans, cursor = [], 0
        for surface, label in entities:
            start = text.index(surface, cursor)
            spans.append({"start": start, "end": start + len(surface), "label": label})
            cursor = start + len(surface)
        return Document.from_dict({"id": doc_id, "text": text, "entities": spans,
                                   "relations": [{"person": p, "role": r, "institution": i, "former": any(former)}
                                                 for p, r, i, *former in relations]})

    return make


@pytest.fixture
def authored_file(tmp_path: Path) -> Path:
    """A markup file of 20 small authored items (with ROLE entities and relations)."""
    lines = []
    for k in range(20):
        lines += [f"### item-{k:02d}", f"[[PER#1|علی رضایی{k}]]، [[ROLE#2|معاون فنی]] [[ORG#3|شهرداری شیراز]] گفت.",
                  "rel: 1 2 3", "official: علی رضایی{k} | معاون فنی | شهرداری شیراز".format(k=k), ""]
    path = tmp_path / "authored" / "a.txt"
    path.parent.mkdir()
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.fixture
def doctests() -> Callable[[object], int]:
    """Run a module's docstring examples; returns how many ran (they must all pass)."""
    import doctest

    def run(module: object) -> int:
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0, f"{result.failed} doctest(s) failed in {module.__name__}"
        return result.attempted

    return run


def script_module(name: str, path: Path) -> Iterator[ModuleType]:
    """Load a script that is not a package module (``data/layers/*.py``) for a module-scoped fixture."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]
