from hypothesis import given, settings
from hypothesis import strategies as st

from persnews.data.labels import BIO_TAGS, bio_spans, relation_problems, repair_bio, word_tags

TAGS = st.lists(st.sampled_from(BIO_TAGS), max_size=12)


def test_bio_tags_are_fixed_in_schema_order():
    assert BIO_TAGS == ("O", "B-PER", "I-PER", "B-ROLE", "I-ROLE", "B-ORG", "I-ORG", "B-LOC", "I-LOC")


def test_an_inside_tag_without_begin_starts_an_entity():
    assert bio_spans(["I-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-ORG"]) == [
        (0, 2, "PER"), (3, 4, "LOC"), (4, 5, "LOC"), (5, 6, "ORG")]


@settings(max_examples=60, deadline=None)
@given(TAGS)
def test_repair_keeps_the_spans_and_is_strict_iob2(tags):
    repaired = repair_bio(tags)
    assert bio_spans(repaired) == bio_spans(tags)
    assert all(not t.startswith("I-") or repaired[k - 1][2:] == t[2:] and repaired[k - 1] != "O"
               for k, t in enumerate(repaired))


def test_words_are_tagged_by_where_they_start():
    # word 1 starts inside the span, word 2 starts in it too, word 3 starts after it ends
    assert word_tags([0, 5, 9, 14], [(3, 12, "ORG")]) == ["O", "B-ORG", "I-ORG", "O"]
    assert word_tags([0, 5], [(0, 4, "PER"), (5, 9, "PER")]) == ["B-PER", "B-PER"]


def test_relation_typing():
    labels = ["PER", "ROLE", "LOC", "ORG"]
    assert relation_problems(labels, [0, 1, 2]) == relation_problems(labels, [0, 1, None]) == []
    assert relation_problems(labels, [0, 1, 0]) == ["institution points at a PER, expected LOC/ORG"]
    assert relation_problems(labels, [0, True, 9])[0].startswith("role True is not an entity index")


def test_docstring_examples(doctests):
    from persnews.data import labels

    assert doctests(labels) > 0
