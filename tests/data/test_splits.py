import pytest

from persnews.data.splits import SPLITS, corpus_split, split_documents


def test_release_split_is_deterministic_and_stable_as_the_release_grows():
    ids = [f"doc-{k}" for k in range(400)]
    first = split_documents(ids[:100], ids[:100])
    grown = split_documents(ids, ids)
    reordered = split_documents(ids[::-1], ids[::-1])
    assert {s: set(grown[s]) for s in SPLITS} == {s: set(reordered[s]) for s in SPLITS}
    assert all(set(first[s]) <= set(grown[s]) for s in SPLITS)  # no document ever changes split
    assert sorted(x for s in SPLITS for x in grown[s]) == sorted(ids)


def test_release_split_fractions_are_near_their_targets():
    ids = [f"d{k}" for k in range(4000)]
    parts = split_documents(ids, ids)
    assert 0.155 < len(parts["test"]) / 4000 < 0.185 and 0.085 < len(parts["dev"]) / 4000 < 0.115


def test_corpus_sentences_keep_their_corpus_split_or_a_stable_hash_split():
    assert corpus_split("parstwiner/test/3") == "test"
    assert corpus_split("arman/fold2/3", arman_test_fold="fold2") == "test"
    assert corpus_split("arman/fold1/3", arman_test_fold="fold2") in ("train", "dev")
    nsurl = [corpus_split(f"nsurl/train-600k/{k}") for k in range(2000)]
    assert 0.14 < nsurl.count("test") / 2000 < 0.20 and 0.07 < nsurl.count("dev") / 2000 < 0.13
    with pytest.raises(ValueError):
        corpus_split("not-a-corpus-id")
    with pytest.raises(ValueError):
        split_documents([1], ["a"], test=0.6, dev=0.5)


def test_docstring_examples(doctests):
    from persnews.data import splits

    assert doctests(splits) > 0
