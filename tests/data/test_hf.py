import dataclasses
import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from persnews.data.hf import Augmentation, align_labels, augment_example, build_dataset_dict, document_examples, \
    source_of, tokenize_and_align, training_documents
from persnews.data.labels import BIO_TAGS, bio_spans, repair_bio
from persnews.data.release import split_release, write_release
from persnews.data.splits import SPLITS
from persnews.data.standoff import read_layer, sentence_hash

ZWNJ = "\u200c"
ALWAYS = Augmentation(strip_zwnj=1.0, arabic_letters=1.0, punctuation_space=1.0)


def test_words_of_the_normalised_view_tagged_by_their_start(make_doc):
    # Arabic «ي/ك», a missing ZWNJ and a word that starts before the entity does
    doc = make_doc("d", "مدير كل روابط عمومي شهرداري مي گويد: «سازمان» تهران", [("مدير كل", "ROLE"),
                                                                                  ("ازمان» تهران", "ORG")])
    (example,) = document_examples(doc)
    assert example.id == "d#0" and example.source == "authored" and example.has_role
    assert list(zip(example.tokens, example.tags)) == [
        ("مدیر", "B-ROLE"), ("کل", "I-ROLE"), ("روابط", "O"), ("عمومی", "O"), ("شهرداری", "O"),
        (f"می{ZWNJ}گوید", "O"), (":", "O"), ("«", "O"), ("سازمان", "O"), ("»", "B-ORG"), ("تهران", "I-ORG")]


def test_long_documents_are_packed_by_sentence_under_max_words(make_doc):
    text = " ".join(["یک دو سه."] * 5) + " " + " ".join(["کلمه"] * 9)
    doc = make_doc("long", text, [("دو", "PER")])
    examples = document_examples(doc, max_words=8)
    assert [len(e.tokens) for e in examples] == [8, 8, 4, 8, 1]
    assert [e.id for e in examples] == [f"long#{k}" for k in range(5)]
    assert examples[0].tags[:3] == ("O", "B-PER", "O")


def test_source_of_ids():
    assert source_of("peyma/train/3") == ("peyma", False)
    assert source_of("layer:roles/arman/fold1/2") == ("layer:roles", True)
    assert source_of("auth-a-001") == ("authored", True)


def test_augmentation_applies_each_kind_of_noise():
    tokens = ["«", "سازمان", "»", f"می{ZWNJ}گوید", "کرمان", ":"]
    tags = ["B-ORG", "I-ORG", "I-ORG", "O", "B-LOC", "O"]
    words, new_tags = augment_example(tokens, tags, random.Random(0), ALWAYS)
    assert words == ["«سازمان»", "ميگويد", "كرمان:"]
    assert new_tags == ["B-ORG", "O", "B-LOC"]
    assert tokens[3] == f"می{ZWNJ}گوید"  # the input is not changed
    assert augment_example(tokens, tags, random.Random(0), Augmentation(0, 0, 0)) == (tokens, tags)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["علی", f"می{ZWNJ}رود", "کرج", "،", "«", "»", ".", "یک."]),
                          st.sampled_from(BIO_TAGS)), max_size=10), st.integers(0, 2**16))
def test_augmentation_is_seeded_and_keeps_tags_valid(pairs, seed):
    tokens, tags = [p[0] for p in pairs], repair_bio([p[1] for p in pairs])
    first = augment_example(tokens, tags, random.Random(seed))
    assert first == augment_example(tokens, tags, random.Random(seed))
    words, new_tags = first
    assert len(words) == len(new_tags) <= len(tokens) + sum(1 for t in tokens if len(t) > 1 and t[-1] == ".")
    assert new_tags == repair_bio(new_tags)
    assert {label for _, _, label in bio_spans(new_tags)} <= {label for _, _, label in bio_spans(tags)}


def test_align_labels_first_or_all_subtokens():
    word_ids = [None, 0, 0, 1, 2, 2, None]
    assert align_labels(word_ids, [3, 4, 0]) == [-100, 3, -100, 4, 0, -100, -100]
    assert align_labels(word_ids, [3, 4, 0], label_all_subtokens=True) == [-100, 3, 4, 4, 0, 0, -100]


@pytest.fixture
def release_with_layer(tmp_path, fake_corpora, make_doc):
    layer = {"corpus": "peyma", "file": "train", "sentence": 0, "sha": sentence_hash("حسین نوری رئیس شهرداری تهران گفت"),
             "entities": [{"start": 2, "end": 3, "label": "ROLE"}],
             "relations": [{"person": [0, 2], "role": [2, 3], "institution": [3, 5]}]}
    docs = [make_doc(f"auth-{k}", f"علی رضایی{k}، شهردار کرمان گفت.", [(f"علی رضایی{k}", "PER"), ("شهردار", "ROLE"),
                                                                       ("کرمان", "LOC")], [(0, 1, 2)]) for k in range(8)]
    (tmp_path / "roles.jsonl").write_text(json.dumps(layer), encoding="utf-8")
    release = dataclasses.replace(split_release(docs), layers=(read_layer(tmp_path / "roles.jsonl"),))
    write_release(tmp_path / "release", release)
    return tmp_path / "release"


def test_training_documents_join_layers_and_corpora(release_with_layer, fake_corpora):
    docs = training_documents(release_with_layer, corpora=["peyma", "arman"], corpora_dir=fake_corpora,
                              arman_test_fold="fold1")
    ids = {name: [d.id for d in docs[name]] for name in SPLITS}
    assert "layer:roles/peyma/train/0" in ids["train"] and "peyma/train/0" not in ids["train"]
    assert "peyma/train/1" in ids["train"] and ids["test"].count("peyma/test/0") == 1
    assert {"arman/fold1/0", "arman/fold1/1"} <= set(ids["test"])
    assert sum(i.startswith("auth-") for name in SPLITS for i in ids[name]) == 8
    with pytest.raises(ValueError, match="unknown corpora"):
        training_documents(release_with_layer, corpora=["conll"], corpora_dir=fake_corpora)


def test_dataset_dict_and_subword_alignment(release_with_layer, fake_corpora, make_doc):
    import datasets
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    docs = training_documents(release_with_layer, corpora=["peyma"], corpora_dir=fake_corpora)
    dataset = build_dataset_dict(*(docs[name] for name in SPLITS), augment=True, seed=3)
    assert isinstance(dataset, datasets.DatasetDict) and list(dataset) == list(SPLITS)
    assert dataset["train"].features["ner_tags"].feature.names == list(BIO_TAGS)
    train = dataset["train"].to_list()
    by_id = {row["id"]: row for row in train}
    layered = by_id["layer:roles/peyma/train/0#0"]
    assert layered["source"] == "layer:roles" and layered["has_role"] is True
    assert [BIO_TAGS[t] for t in layered["ner_tags"]] == ["B-PER", "I-PER", "B-ROLE", "B-ORG", "I-ORG", "O"]
    assert by_id["peyma/train/1#0"]["has_role"] is False and by_id["peyma/train/1#0"]["source"] == "peyma"
    assert any(i.endswith("+aug") for i in by_id) and not any(r["id"].endswith("+aug") for r in dataset["test"])
    again = build_dataset_dict(*(docs[name] for name in SPLITS), augment=True, seed=3)
    assert again["train"].to_list() == train

    vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "حسین": 4, "نو": 5, "##ری": 6, "رئیس": 7}
    backend = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    backend.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]",
                                                           special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="[UNK]", pad_token="[PAD]",
                                        cls_token="[CLS]", sep_token="[SEP]")
    one = datasets.Dataset.from_list([layered], features=dataset["train"].features)
    first = tokenize_and_align(one, tokenizer, max_length=32)[0]
    assert first["input_ids"][:5] == [2, 4, 5, 6, 7]
    assert first["labels"] == [-100, 1, 2, -100, 3, 5, 6, 0, -100]
    every = tokenize_and_align(one, tokenizer, max_length=5, label_all_subtokens=True)[0]
    assert every["labels"] == [-100, 1, 2, 2, -100]
    with pytest.raises(ValueError, match="fast tokenizer"):
        tokenize_and_align(one, object(), max_length=8)


def test_docstring_examples(doctests):
    from persnews.data import hf

    assert doctests(hf) > 0
