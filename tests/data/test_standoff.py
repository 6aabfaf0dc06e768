import json

import pytest

from persnews.data.corpora import read_corpus_file
from persnews.data.standoff import join_layer, layer_from_documents, read_layer, sentence_hash, write_layer
from persnews.errors import CorpusMismatchError, DataFormatError

SENTENCE = "حسین نوری رئیس شهرداری تهران گفت"  # peyma/train/0 of the fake corpora


def layer_line(**changes):
    record = {"corpus": "peyma", "file": "train", "sentence": 0, "sha": sentence_hash(SENTENCE),
              "entities": [{"start": 2, "end": 3, "label": "ROLE"}],
              "relations": [{"person": [0, 2], "role": [2, 3], "institution": [3, 5]}]}
    return json.dumps({**record, **changes}, ensure_ascii=False)


@pytest.fixture
def layer_file(tmp_path):
    path = tmp_path / "roles-v1.jsonl"
    path.write_text(layer_line() + "\n" + layer_line(file="dev", sentence=0, sha=sentence_hash("سازمان\u200cهای ملل"),
                                                      entities=[], relations=[]) + "\n", encoding="utf-8")
    return path


def test_join_adds_roles_and_relations_without_storing_text(layer_file, fake_corpora):
    assert "حسین" not in layer_file.read_text(encoding="utf-8")
    docs = join_layer(read_layer(layer_file), fake_corpora)
    assert [d.id for d in docs] == ["layer:roles-v1/peyma/train/0", "layer:roles-v1/peyma/dev/0"]
    assert [(e.label, e.text) for e in docs[0].entities] == [("PER", "حسین نوری"), ("ROLE", "رئیس"),
                                                              ("ORG", "شهرداری تهران")]
    assert [(r.person, r.role, r.institution) for r in docs[0].relations] == [(0, 1, 2)]
    assert docs[0].text == SENTENCE


def test_layer_round_trip_through_documents(layer_file, fake_corpora, tmp_path):
    layer = read_layer(layer_file)
    again = layer_from_documents("roles-v1", join_layer(layer, fake_corpora), fake_corpora)
    assert again == layer
    write_layer(tmp_path / "out" / "roles-v1.jsonl", again)
    assert set(read_layer(tmp_path / "out" / "roles-v1.jsonl").sentences) == set(layer.sentences)  # written sorted


def test_changed_or_missing_corpus_is_a_clear_error(layer_file, fake_corpora):
    layer = read_layer(layer_file)
    train = fake_corpora / "peyma" / "train.txt"
    train.write_text(train.read_text(encoding="utf-8").replace("گفت|O", "افزود|O"), encoding="utf-8")
    with pytest.raises(CorpusMismatchError, match=r"roles-v1.jsonl:1: the text of peyma/train/0 has changed"):
        join_layer(layer, fake_corpora)
    train.unlink()
    with pytest.raises(CorpusMismatchError, match="train.txt is missing"):
        join_layer(layer, fake_corpora)
    with pytest.raises(CorpusMismatchError):
        join_layer(layer, fake_corpora / "nowhere")


def test_a_sentence_no_longer_in_the_corpus(tmp_path, fake_corpora):
    path = tmp_path / "l.jsonl"
    path.write_text(layer_line(sentence=40), encoding="utf-8")
    with pytest.raises(CorpusMismatchError, match="peyma/train/40 is not in the corpus"):
        join_layer(read_layer(path), fake_corpora)


def test_malformed_layers_report_every_line(tmp_path, fake_corpora):
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join([
        layer_line(corpus="conll"), layer_line(sha="xyz"),
        layer_line(entities=[{"start": 3, "end": 2, "label": "ROLE"}]),
        layer_line(entities=[{"start": 2, "end": 3, "label": "TITLE"}]),
        layer_line(relations=[{"person": [0], "role": [2, 3]}]), layer_line(), layer_line()]), encoding="utf-8")
    with pytest.raises(DataFormatError) as error:
        read_layer(path)
    assert [p.split(": ")[0] for p in error.value.problems] == [f"{path}:{n}" for n in (1, 2, 3, 4, 5, 7)]
    assert "already annotated at line 6" in error.value.problems[-1]


def test_annotations_that_do_not_fit_the_sentence(tmp_path, fake_corpora):
    path = tmp_path / "l.jsonl"
    path.write_text("\n".join([
        layer_line(entities=[{"start": 1, "end": 3, "label": "ROLE"}], relations=[]),  # overlaps the corpus PER
        layer_line(file="test", sha=sentence_hash("علی"), entities=[{"start": 1, "end": 2, "label": "ROLE"}],
                   relations=[])]), encoding="utf-8")
    with pytest.raises(DataFormatError) as error:
        join_layer(read_layer(path), fake_corpora)
    assert ":1: ROLE at tokens 1:3 overlaps PER" in error.value.problems[0]
    assert "past the sentence's 1 tokens" in error.value.problems[1]
    path.write_text(layer_line(relations=[{"person": [2, 3], "role": [0, 2], "institution": None}]), encoding="utf-8")
    with pytest.raises(DataFormatError, match="person points at a ROLE"):
        join_layer(read_layer(path), fake_corpora)


def test_layer_from_documents_refuses_what_a_layer_cannot_say(fake_corpora, make_doc):
    corpus_doc = read_corpus_file("peyma", fake_corpora / "peyma" / "train.txt").sentences[0].to_document()
    off_token = make_doc("peyma/train/0", SENTENCE, [("حسین نوری", "PER"), ("ئیس", "ROLE"), ("شهرداری تهران", "ORG")])
    with pytest.raises(DataFormatError) as error:
        layer_from_documents("x", [off_token, make_doc("authored-1", SENTENCE)], fake_corpora)
    assert [p.split(":")[0] for p in error.value.problems] == ["peyma/train/0", "authored-1"]
    assert layer_from_documents("x", [corpus_doc], fake_corpora).sentences[0].entities == ()


def test_layer_corrects_corpus_entities(tmp_path, fake_corpora, make_doc):
    corrected = make_doc("peyma/train/0", SENTENCE, [("حسین نوری", "PER"), ("رئیس", "ROLE"), ("شهرداری", "ORG"),
                                                   ("تهران", "LOC")])
    layer = layer_from_documents("fixes", [corrected], fake_corpora)
    assert layer.sentences[0].removed == ((3, 5),)
    path = tmp_path / "fixes.jsonl"
    write_layer(path, layer)
    [joined] = join_layer(read_layer(path), fake_corpora)
    assert [(e.label, e.text) for e in joined.entities] == [("PER", "حسین نوری"), ("ROLE", "رئیس"),
                                                             ("ORG", "شهرداری"), ("LOC", "تهران")]
    path.write_text(layer_line(removed=[[0, 1]]), encoding="utf-8")
    with pytest.raises(DataFormatError, match="not entities of the corpus sentence"):
        join_layer(read_layer(path), fake_corpora)
