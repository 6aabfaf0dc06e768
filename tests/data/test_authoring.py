"""Authored markup: the ``former`` mark on relations and officials (guidelines v1.1)."""

import pytest

from persnews.data.authoring import parse_markup
from persnews.errors import DataFormatError

ITEM = ("### x\n[[PER#1|علی رضایی]]، [[ROLE#2|شهردار]] سابق [[LOC#3|قم]] و [[ROLE#4|مشاور]] [[ORG#5|بانک ملی]] گفت\n"
        "rel: 1 2 3 former\nrel: 1 4 5\nofficial: علی رضایی | شهردار | قم | former\n"
        "official: علی رضایی | مشاور | بانک ملی")


def test_former_relations_and_positions_are_marked():
    (doc,) = parse_markup(ITEM)
    assert [(r.role, r.former) for r in doc.relations] == [(1, True), (3, False)]
    assert [(p.role, p.former) for p in doc.officials[0].positions] == [("شهردار", True), ("مشاور", False)]


@pytest.mark.parametrize("bad", ["rel: 1 2 3 past", "official: علی رضایی | شهردار | قم | past"])
def test_a_fourth_field_other_than_former_is_refused(bad):
    with pytest.raises(DataFormatError, match="former"):
        parse_markup(ITEM + "\n" + bad)
