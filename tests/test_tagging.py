from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import make_tokenizer
from persnews.errors import ModelLoadError
from persnews.normalization import normalize
from persnews.segmentation import Token, sentences
from persnews.tagging import Tagger, WordPieces, resolve_model_dir, shipped_models, spans_from_tags, word_pieces


def test_bio_repair_and_span_offsets() -> None:
    text = "علی رضایی، معاون فنی شهرداری شیراز"
    tokens = [Token("علی", 0, 3), Token("رضایی", 4, 9), Token("،", 9, 10), Token("معاون", 11, 16),
              Token("فنی", 17, 20), Token("شهرداری", 21, 28), Token("شیراز", 29, 34)]
    tags = [("B-PER", .9), ("I-PER", .7), ("O", 1.), ("I-ROLE", .8), ("I-ROLE", .6), ("B-ORG", .9), ("I-ORG", .9)]
    entities = spans_from_tags(tokens, tags, text)
    assert [(e.label, e.text) for e in entities] == [("PER", "علی رضایی"), ("ROLE", "معاون فنی"),
                                                    ("ORG", "شهرداری شیراز")]
    assert entities[0].score == pytest.approx(0.8)


def test_i_of_another_label_starts_a_new_entity() -> None:
    tokens = [Token("a", 0, 1), Token("b", 2, 3)]
    entities = spans_from_tags(tokens, [("B-PER", 1.), ("I-ORG", 1.)], "a b")
    assert [(e.label, e.text) for e in entities] == [("PER", "a"), ("ORG", "b")]


def test_tagger_loads_and_tags_long_documents(tiny_model: Path) -> None:
    tagger = Tagger.load(tiny_model)
    text = "علی رضایی معاون فنی شهرداری شیراز گفت " * 40  # far beyond the 32-sub-token window
    result = tagger.tag([sentences(normalize(text))], [text])[0]
    for entity in result:
        assert text[entity.start:entity.end] == entity.text
        assert 0.0 <= entity.score <= 1.0


def test_quantised_tagger_gives_spans_too(tiny_model: Path) -> None:
    tagger = Tagger.load(tiny_model, precision="int8")
    text = "علی رضایی گفت"
    for entity in tagger.tag([sentences(normalize(text))], [text])[0]:
        assert text[entity.start:entity.end] == entity.text


def test_missing_model_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="no model.safetensors"):
        Tagger.load(tmp_path)
    with pytest.raises(ModelLoadError, match="not a hub id"):
        resolve_model_dir(str(tmp_path / "absent" / "deeper" / "x"))


def test_hub_id_without_network_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelLoadError, match="could not fetch"):
        resolve_model_dir("persnews-test/no-such-model")


def test_pickled_weights_are_refused(tiny_model: Path, tmp_path: Path) -> None:
    folder = tmp_path / "pickled"
    folder.mkdir()
    for item in tiny_model.iterdir():
        if item.name != "model.safetensors":
            (folder / item.name).write_bytes(item.read_bytes())
    (folder / "pytorch_model.bin").write_bytes(b"not loaded")
    with pytest.raises(ModelLoadError, match="safetensors"):
        Tagger.load(folder)


def test_tagger_follows_our_convention_unless_told_otherwise(tmp_path: Path) -> None:
    from helpers import make_tiny_model

    from persnews.errors import ConventionError

    folder = make_tiny_model(tmp_path / "conventions", conventions=("persnews", "peyma"))
    tagger = Tagger.load(folder)
    assert tagger.convention == "persnews"
    tagger.convention = "peyma"
    text = "علی رضایی در تهران گفت"
    assert tagger.tag([sentences(normalize(text))], [text])[0] is not None
    tagger.convention = None  # back to the model's default
    assert tagger.convention == "persnews"
    tagger.follow("peyma")
    assert tagger.convention == "peyma"
    tagger.follow("arman")  # never trained on: the default
    assert tagger.convention == "persnews"
    with pytest.raises(ConventionError, match="arman"):
        tagger.convention = "arman"
    with pytest.raises(ConventionError, match="has none"):
        Tagger.load(make_tiny_model(tmp_path / "plain"), convention="peyma")


def test_cpu_runs_int8_unless_asked_for_float32(tiny_model: Path) -> None:
    assert Tagger.load(tiny_model, device="cpu").quantized
    assert not Tagger.load(tiny_model, device="cpu", precision="float32").quantized
    with pytest.raises(ModelLoadError, match="CPU only"):
        Tagger.load(tiny_model, device="cuda", precision="int8")


def test_int8_loading_is_quiet(tiny_model: Path) -> None:
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Tagger.load(tiny_model, device="cpu")
    assert not [w for w in caught if "quantiz" in str(w.message)]


def test_shipped_models_load_by_name_and_unknown_names_list_them() -> None:
    shipped = shipped_models()
    assert "persnews-fa-small" in shipped and (shipped["persnews-fa-small"] / "config.json").is_file()
    assert resolve_model_dir("persnews-fa-small") == shipped["persnews-fa-small"]
    with pytest.raises(ModelLoadError, match="shipped: .*persnews-fa-small"):
        resolve_model_dir("persnews-fa-huge")


def test_a_folder_given_by_path_wins_over_a_shipped_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "persnews-fa-small").mkdir()
    monkeypatch.chdir(tmp_path)
    assert resolve_model_dir("persnews-fa-small") == Path("persnews-fa-small")



@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory: pytest.TempPathFactory):
    return make_tokenizer(tmp_path_factory.mktemp("tokenizer"))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.text(alphabet="سلامعلیرضاabc\u200c1", max_size=30), max_size=12), max_size=6),
       st.integers(1, 40), st.integers(1, 6))
def test_remembered_word_pieces_are_the_tokenizers(tokenizer, calls: list[list[str]], budget: int, size: int) -> None:
    remembered = WordPieces(tokenizer, budget, size=size)  # small sizes: the cache starts afresh between calls
    for words in calls:
        assert remembered(words) == word_pieces(tokenizer, words, budget)
