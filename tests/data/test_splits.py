import pytest

from persnews.data.splits import SPLITS, corpus_split, hash_split, split_documents


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


def test_raw_news_sentences_are_split_by_article():
    by_article = []
    for k in range(1500):
        article = f"news-raw/fars-news-{k % 5 + 1}/{k // 5}"
        found = {corpus_split(f"{article}/{p}/{a}-{a + 30}") for p in range(3) for a in (0, 40)}
        assert found == {hash_split(article)}  # every sentence of an article in the article's split
        by_article += found
    assert 0.14 < by_article.count("test") / 1500 < 0.20 and 0.07 < by_article.count("dev") / 1500 < 0.13
    for bad in ("news-raw/fars-news-1/12/3", "news-raw/fars-news-1/12/3/9-2", "news-raw/other/1/2/0-5"):
        with pytest.raises(ValueError, match="not a raw news sentence id"):
            corpus_split(bad)


def test_docstring_examples(doctests):
    from persnews.data import splits

    assert doctests(splits) > 0
