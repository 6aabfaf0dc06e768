"""The importers over the real corpora in ``../shared/corpora``, checked against the counts in its README."""

import pytest

from persnews.data.corpora import CORPORA, corpora_root, import_corpus
from persnews.data.validation import record_problems
from persnews.errors import CorpusMismatchError

# sentences and tokens as the corpora README states them; NSURL's tokens are "~582,000" there
EXPECTED = {"peyma": (9_979, 302_528), "arman": (7_681, 249_996), "nsurl": (17_450, None),
            "parstwiner": (7_166, 232_917)}


@pytest.fixture(scope="module")
def root():
    try:
        return corpora_root()
    except CorpusMismatchError as error:
        pytest.skip(f"shared corpora not available: {error}")


@pytest.mark.parametrize("corpus", sorted(EXPECTED))
def test_counts_match_the_readme(root, corpus):
    result = import_corpus(corpus, root / CORPORA[corpus].folder)
    sentences, tokens = EXPECTED[corpus]
    assert len(result.documents) == sentences
    n_tokens = sum(len(doc.text.split(" ")) for doc in result.documents)
    if tokens is None:
        assert abs(n_tokens - 582_000) < 1_000
        assert len(result.skipped) >= 400 and any("corrupt tag 'OB-ORG'" in s for s in result.skipped)
    else:
        assert n_tokens == tokens and result.skipped == ()
    assert len({doc.id for doc in result.documents}) == sentences
    for doc in result.documents[::97]:
        assert record_problems(doc.to_dict()) == []
    labels = {e.label for doc in result.documents for e in doc.entities}
    assert labels == {"PER", "ORG", "LOC"}
