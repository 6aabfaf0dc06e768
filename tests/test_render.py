from __future__ import annotations

from persnews.document import Document, Entity, Official, Position, Relation
from persnews.render import to_conll, to_html, to_text

TEXT = "حسین نوری، معاون فنی شهرداری شیراز گفت. <b>"


def _document() -> Document:
    entities = (Entity(0, 9, "PER", "حسین نوری"), Entity(11, 20, "ROLE", "معاون فنی"),
                Entity(21, 34, "ORG", "شهرداری شیراز"))
    return Document(TEXT, entities, (Relation(0, 1, 2),),
                    (Official("حسین نوری", (Position("معاون فنی", "شهرداری شیراز", (0,)),)),), "doc-1")


def test_conll_tags_every_word() -> None:
    lines = to_conll(_document()).splitlines()
    assert lines[:6] == ["# relation = حسین نوری | معاون فنی | شهرداری شیراز",
                         "حسین\tB-PER", "نوری\tI-PER", "،\tO", "معاون\tB-ROLE", "فنی\tI-ROLE"]
    assert "شیراز\tI-ORG" in lines


def _former() -> Document:
    document = _document()
    return Document(document.text, document.entities, (Relation(0, 1, 2, former=True),),
                    (Official("حسین نوری", (Position("معاون فنی", "شهرداری شیراز", (0,), former=True),)),), "doc-1")


def test_a_former_office_is_marked_in_every_format() -> None:
    assert to_conll(_former()).splitlines()[0] == "# relation = حسین نوری | معاون فنی | شهرداری شیراز | former"
    assert "حسین نوری — معاون فنی — شهرداری شیراز (former)" in to_text(_former())
    assert "(former)" not in to_text(_document())
    assert to_html([_former()]).count("<td>سابق</td>") == 2 and "<td>سابق</td>" not in to_html([_document()])


def test_html_is_self_contained_and_escaped() -> None:
    page = to_html([_document()])
    assert page.startswith("<!DOCTYPE html>") and 'dir=rtl' in page
    assert "<b>" not in page.split("<body>")[1] and "&lt;b&gt;" in page
    assert 'class="PER linked"' in page and "http" not in page
    assert page.count("<tr>") == 4  # relation header + row, officials header + row
