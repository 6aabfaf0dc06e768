import pytest

from persnews.data.corpora import corpora_root, import_corpus, read_corpus_file
from persnews.data.validation import record_problems
from persnews.errors import CorpusMismatchError

ZWNJ = "\u200c"


def entities(doc):
    return [(e.label, e.text) for e in doc.entities]


def test_peyma_zwnj_tags_and_stable_sentence_ids(fake_corpora):
    result = import_corpus("peyma", fake_corpora / "peyma")
    docs = {d.id: d for d in result.documents}
    assert list(docs) == ["peyma/train/0", "peyma/train/1", "peyma/train/2", "peyma/dev/0", "peyma/test/0"]
    assert entities(docs["peyma/train/0"]) == [("PER", "حسین نوری"), ("ORG", "شهرداری تهران")]
    assert docs["peyma/train/1"].text == f"کار نمی{ZWNJ}شود | امروز"  # the DAT tag becomes O
    assert entities(docs["peyma/train/1"]) == []
    assert entities(docs["peyma/train/2"]) == [("PER", "مریم احمدی"), ("LOC", "کرمان")]  # I- without B- repaired
    assert entities(docs["peyma/dev/0"]) == [("ORG", f"سازمان{ZWNJ}های ملل")]
    assert result.skipped == ()
    assert all(record_problems(d.to_dict()) == [] for d in result.documents)


def test_arman_maps_fac_to_loc_and_drops_other_types(fake_corpora):
    docs = import_corpus("arman", fake_corpora / "arman" / "fold2.txt").documents
    assert [d.id for d in docs] == ["arman/fold2/0", "arman/fold2/1"]
    assert entities(docs[0]) == [("PER", "علی"), ("LOC", "برج میلاد")]
    assert entities(docs[1]) == [("ORG", "بانک ملی")]


def test_nsurl_broken_lines_are_reported_and_skipped(fake_corpora):
    path = fake_corpora / "nsurl2019" / "train-600k.txt"
    parsed = read_corpus_file("nsurl", path)
    assert [(s.id, s.tokens) for s in parsed.sentences] == [
        ("nsurl/train-600k/0", ("وزیر", "کشور", "محمد", "رضایی")),
        ("nsurl/train-600k/2", ("تهران", "سایپا"))]
    assert entities(parsed.sentences[1].to_document()) == [("LOC", "تهران"), ("ORG", "سایپا")]
    assert list(parsed.skipped) == [
        f"{path}:6: no tag (expected token, a tab, tag)", f"{path}:7: no tag (expected token, a tab, tag)",
        f"{path}:6: sentence 1 has no readable token",
        f"{path}:9: corrupt tag 'OB-ORG'", f"{path}:10: corrupt tag 'B-ORGO'", f"{path}:11: empty token"]


def test_parstwiner_and_missing_files(fake_corpora):
    docs = import_corpus("parstwiner", fake_corpora / "parstwiner").documents
    assert entities(docs[0]) == [("LOC", "ایران")]  # NAT is not ours
    with pytest.raises(CorpusMismatchError, match="missing corpus file"):
        import_corpus("peyma", fake_corpora / "arman")
    with pytest.raises(ValueError, match="unknown corpus"):
        import_corpus("conll", fake_corpora)


def test_corpora_root_resolution(fake_corpora, tmp_path, monkeypatch):
    assert corpora_root(fake_corpora) == fake_corpora
    monkeypatch.setenv("PERSNEWS_CORPORA", str(fake_corpora))
    assert corpora_root() == fake_corpora
    monkeypatch.setenv("PERSNEWS_CORPORA", str(tmp_path / "missing"))
    with pytest.raises(CorpusMismatchError, match="PERSNEWS_CORPORA"):
        corpora_root()


def test_docstring_examples(doctests):
    from persnews.data import corpora

    assert doctests(corpora) > 0
