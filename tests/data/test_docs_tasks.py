"""``data/layers/docs_tasks.py``: answers become a docs layer only when they fit their article, and the
text-free answers rebuild the same layer. Articles are the invented ones of the fake corpora."""

from __future__ import annotations

from pathlib import Path

import pytest

from persnews.data.docs_layer import article_text, read_docs_layer
from persnews.data.standoff import sentence_hash
from persnews.document import Document, Entity, Official, Position, Relation

from .conftest import FARS_NEWS, script_module

TASKS = Path(__file__).resolve().parents[2] / "data" / "layers" / "docs_tasks.py"
TEXT = article_text(FARS_NEWS[0])
HEADER = f"## news-raw/fars-news-1/0 split=test sha={sentence_hash(TEXT)}"


@pytest.fixture(scope="module")
def tasks():
    yield from script_module("docs_tasks", TASKS)


@pytest.fixture
def corpora(fake_news, fake_corpora, monkeypatch):
    monkeypatch.setenv("PERSNEWS_CORPORA", str(fake_corpora))
    return fake_corpora


def span(surface: str) -> str:
    start = TEXT.index(surface)
    return f"{start} {start + len(surface)} {surface}"


def answer(tmp_path, *lines, header=HEADER) -> Path:
    path = tmp_path / "batch-01.ann"
    path.write_text("\n".join([header, *lines, ""]), encoding="utf-8")
    return path


GOOD = [f"T1 PER {span('حسين نوري')}", f"T2 ROLE {span('رئيس')}", "T3 ORG @L4 شهرداري تهران",
        "T9 LOC @L5 کرمان", "T4 PER @L5 مريم احمدی", "R T1 T2 T3 former", "O T1 T2 T3 former", "DONE"]


def test_sentence_lines_number_title_abstract_and_paragraph_sentences(tasks):
    lines = tasks.sentence_lines(TEXT)
    assert [TEXT[x.start:x.end] for x in lines[:3]] == ["عنوان", "خلاصه", "خبر کوتاه"]
    assert TEXT[lines[3].start:lines[3].end].startswith("حسين نوري") and len(lines) == 5


def test_collect_builds_the_layer_and_text_free_answers_that_rebuild_it(tasks, corpora, tmp_path):
    out, stripped = tmp_path / "news-docs-v1.jsonl", tmp_path / "answers"
    tasks.collect([answer(tmp_path, *GOOD)], out, stripped)
    [article] = read_docs_layer(out).articles
    assert [TEXT[a:b] for a, b, _ in article.entities] == ["حسين نوري", "رئيس", "شهرداري تهران", "مريم احمدی",
                                                          "کرمان"]
    assert article.relations == ((0, 1, 2, True),) and article.officials == ((0, ((1, 2, True),)),)
    text_free = (stripped / "docs-batch-01.ann").read_text(encoding="utf-8")
    assert not any("\u0600" <= c <= "\u06ff" for c in text_free)
    again = tmp_path / "again" / "news-docs-v1.jsonl"
    again.parent.mkdir()
    tasks.collect([stripped / "docs-batch-01.ann"], again)
    assert again.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")


@pytest.mark.parametrize("lines, message", [
    (["T1 PER 0 5 حسين", "DONE"], "the answer says"),  # offsets that do not hold the stated surface
    (["T1 PER @L4 حسين نوري"], "no DONE line"),
    (["T1 PER @L9 حسين", "DONE"], "no sentence line L9"),
    (["T1 PER @L4#2 حسين نوري", "DONE"], "occurs 1 time"),
    (["T1 PER @L4 حسين نوري", "T2 PER @L4 نوري", "DONE"], "occurs 0 time"),  # only free occurrences count
    (["T1 PER @L4 حسين نوري", "T2 ROLE @L4 رئيس", "R T2 T1 -", "DONE"], "person points at a ROLE"),
    (["T1 PER @L4 حسين نوري", "R T1 T7 -", "DONE"], "T7 is not an entity"),
    (["T1 PERSON @L4 حسين نوري", "DONE"], "unknown line"),
])
def test_collect_refuses_answers_that_do_not_fit(tasks, corpora, tmp_path, lines, message, capsys):
    output = tmp_path / "x.jsonl"
    with pytest.raises(SystemExit):
        tasks.collect([answer(tmp_path, *lines)], output)
    assert message in capsys.readouterr().err and not output.exists()


def test_a_changed_article_and_a_rejected_one(tasks, corpora, tmp_path, capsys):
    with pytest.raises(SystemExit):
        tasks.collect([answer(tmp_path, "DONE", header=HEADER[:-12] + "0" * 12)], tmp_path / "x.jsonl")
    assert "has changed" in capsys.readouterr().err
    tasks.collect([answer(tmp_path, "REJECT only a headline")], tmp_path / "y.jsonl")
    assert read_docs_layer(tmp_path / "y.jsonl").articles == ()


def test_the_models_draft_is_a_collectable_answer(tasks, corpora, tmp_path):
    entities = tuple(Entity(int(a), int(b), label, TEXT[int(a):int(b)]) for label, (a, b, _) in
                     (("PER", span("حسين نوري").split(maxsplit=2)), ("ROLE", span("رئيس").split(maxsplit=2))))
    doc = Document(TEXT, entities, (Relation(0, 1),), (Official("حسين نوري", (Position("رئيس", None, (0,)),)),))
    draft = tasks.draft("news-raw/fars-news-1/0", "test", doc)
    assert draft.officials == [("T1", "T2", None, False)]
    tasks.collect([answer(tmp_path, *tasks._answer_lines(draft, True)[1:], "DONE", header=draft.header())],
                  tmp_path / "z.jsonl")
    assert read_docs_layer(tmp_path / "z.jsonl").articles[0].relations == ((0, 1, None, False),)
