import hashlib
import json

import pytest

from persnews.data.release import Release, build_release, merge_releases, read_release, split_release, \
    stats_table, write_release
from persnews.data.splits import SPLITS
from persnews.data.standoff import Layer, LayerSentence, sentence_hash
from persnews.document import Document
from persnews.errors import CorpusMismatchError, DataFormatError


def test_write_read_and_manifest(tmp_path, make_doc):
    docs = [make_doc(f"d{k}", f"علی رضایی{k} شهردار کرمان شد", [(f"علی رضایی{k}", "PER"), ("شهردار", "ROLE"),
                                                                ("کرمان", "LOC")], [(0, 1, 2)]) for k in range(10)]
    release = write_release(tmp_path / "r", split_release(docs, sources=("authored:x.txt",)))
    assert read_release(tmp_path / "r") == release
    manifest = json.loads((tmp_path / "r" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["schema_version"] == 1 and manifest["labels"] == ["PER", "ROLE", "ORG", "LOC"]
    assert manifest["sources"] == ["authored:x.txt"]
    assert sum(manifest["splits"][s]["documents"] for s in SPLITS) == 10
    assert manifest["splits"]["test"] == {"documents": 2, "entities": {"PER": 2, "ROLE": 2, "ORG": 0, "LOC": 2},
                                          "relations": 2}
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((tmp_path / "r" / name).read_bytes()).hexdigest() == digest
    table = stats_table(release).splitlines()
    assert table[0].split() == ["split", "documents", "PER", "ROLE", "ORG", "LOC", "relations"]
    assert table[4].split() == ["total", "10", "10", "10", "0", "10", "10"]


def test_an_invalid_release_is_never_written_over_a_good_one(tmp_path, make_doc):
    good = split_release([make_doc("a", "متن یک"), make_doc("b", "متن دو")])
    write_release(tmp_path / "r", good)
    duplicate = Release(train=(Document("متن سه", id="x"),), test=(Document("متن سه", id="y"),))
    with pytest.raises(DataFormatError) as error:
        write_release(tmp_path / "r", duplicate)
    assert any("same text" in p and str(tmp_path / "r") in p for p in error.value.problems)
    assert {d.id for s in SPLITS for d in read_release(tmp_path / "r").split(s)} == {"a", "b"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_build_release_from_markup_and_a_layer(tmp_path, authored_file, fake_corpora):
    layer_path = tmp_path / "roles.jsonl"
    text = "حسین نوری رئیس شهرداری تهران گفت"
    layer_path.write_text(json.dumps({"corpus": "peyma", "file": "train", "sentence": 0, "sha": sentence_hash(text),
                                      "entities": [{"start": 2, "end": 3, "label": "ROLE"}],
                                      "relations": [{"person": [0, 2], "role": [2, 3], "institution": [3, 5]}]}),
                          encoding="utf-8")
    release = build_release(tmp_path / "releases" / "v1", [authored_file], [layer_path], corpora=fake_corpora)
    sizes = [len(release.split(s)) for s in SPLITS]
    assert sizes == [11, 4, 5] and sum(sizes) == 20  # fixed by the ids alone (see splits.hash_split)
    assert [layer.name for layer in release.layers] == ["roles"]
    assert (tmp_path / "releases" / "v1" / "layers" / "roles.jsonl").is_file()
    assert "layer:roles" in stats_table(release)
    again = build_release(tmp_path / "releases" / "v2", [authored_file], [layer_path], corpora=fake_corpora)
    assert again == release  # deterministic
    (fake_corpora / "peyma" / "train.txt").write_text("دیگر|O\n", encoding="utf-8")
    with pytest.raises(CorpusMismatchError):
        build_release(tmp_path / "releases" / "v3", [authored_file], [layer_path], corpora=fake_corpora)
    assert not (tmp_path / "releases" / "v3").exists()


def test_merge_dedupes_by_text_and_keeps_splits_disjoint():
    a = Release(train=(Document("خبر یک", id="a1"), Document("خبر دو", id="a2")), test=(Document("خبر سیاسی", id="a3"),))
    # b has «خبر دو» in test (so it must leave train), and a3's text again, written with Arabic «ي»
    b = Release(train=(Document("خبر سياسي", id="b3"), Document("خبر چهار", id="b4")), test=(Document("خبر دو", id="b2"),),
                layers=(Layer("roles", (LayerSentence(1, "peyma", "train", 0, "0" * 12),)),))
    merged = merge_releases(a, b)
    splits = {s: [d.id for d in merged.release.split(s)] for s in SPLITS}
    assert splits == {"train": ["a1", "b4"], "dev": [], "test": ["a2", "a3"]}
    assert any("moved 'a2' from train to test" in n for n in merged.notes)
    assert len([n for n in merged.notes if n.startswith("dropped")]) == 2
    assert [layer.name for layer in merged.release.layers] == ["roles"]
    with pytest.raises(DataFormatError, match="cannot merge"):
        merge_releases(a, Release(train=(Document("متن دیگر", id="a1"),)))


def test_docstring_examples(doctests):
    from persnews.data import release

    assert doctests(release) > 0
