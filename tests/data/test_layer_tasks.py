"""``data/layers/tasks.py``: the decisions ``collect`` applies to the annotators' answers, on tokens written here."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import script_module

TASKS = Path(__file__).resolve().parents[2] / "data" / "layers" / "tasks.py"


@pytest.fixture(scope="module")
def tasks():
    yield from script_module("layer_tasks", TASKS)


def test_time_modifiers_stay_outside_the_role(tasks):
    tokens = ("علی", "رضایی", "شهردار", "سابق", "تهران", "گفت")
    assert tasks._harmonise(tokens, (2, 4)) == (2, 3)


@pytest.mark.parametrize("tokens, role", [
    (("علی", "رضایی", "شهردار", "سابق", "تهران", "گفت"), (2, 3)),  # right after the role
    (("حسن", "کاظمی", "وزیر", "دفاع", "وقت", "آمد"), (2, 4)),
    (("مراسم", "تودیع", "مدیرعامل", "پیشین", "باشگاه"), (2, 3)),
    (("سلیمانی", "مدیرکل", "وقت", "زندان‌ها", "گفته", "بود"), (1, 4)),  # inside, after the head
    (("صمد", "فرجی", "مربي", "پيشين", "ملوان"), (2, 4)),  # Arabic letters
    (("وزیر", "پیشین"), (0, 1)),
])
def test_former_roles_are_recognised(tasks, tokens, role):
    assert tasks._former(tokens, role)


@pytest.mark.parametrize("tokens, role", [
    (("علی", "رضایی", "شهردار", "تهران", "گفت"), (2, 3)),
    (("علی", "رضایی", "شهردار", "جدید", "تهران"), (2, 3)),
    (("علی", "شهردار", "تهران", "است", "و", "سابق"), (1, 2)),  # a modifier further away is another word's
    (("شهردار",), (0, 1)),
])
def test_current_roles_are_not_former(tasks, tokens, role):
    assert not tasks._former(tokens, role)


def test_a_relation_without_a_role_span_is_not_former(tasks):
    assert not tasks._former(("علی",), None)


def test_an_office_held_earlier_is_former(tasks):
    tokens = ("خزاعی", "که", "پیش", "از", "این", "معاون", "عمرانی", "استانداری", "بود", "گفت")
    assert tasks._former(tokens, (5, 7))
    assert not tasks._former(("پیش", "از", "این", "جلسه", "خزاعی", "معاون", "عمرانی", "گفت"), (5, 7))


def test_former_relations_are_kept_and_marked(tasks):
    tokens = ("علی", "رضایی", "شهردار", "سابق", "تهران", "و", "رئیس", "شورا", "گفت")
    entities = {}
    relations = tasks._apply_answer(tokens, ["PER 0 2", "ROLE 2 4", "LOC 4 5", "ROLE 6 7", "ORG 7 8",
                                             "REL 0 2 | 2 4 | 4 5", "REL 0 2 | 6 7 | 7 8"], entities, {"PER", "ROLE",
                                                                                                   "LOC", "ORG", "REL"})
    assert relations == [((0, 2), (2, 3), (4, 5), True), ((0, 2), (6, 7), (7, 8), False)]  # role trimmed, flag set
    marked = tasks._apply_answer(tokens, ["REL 0 2 | 6 7 | - | former"], {}, {"REL"})
    assert marked == [((0, 2), (6, 7), None, True)] and tasks._rel_line(marked[0]) == "REL 0 2 | 6 7 | - | former"
    with pytest.raises(ValueError, match="former"):
        tasks._apply_answer(tokens, ["REL 0 2 | 6 7 | - | past"], {}, {"REL"})
