import json

import pytest

from persnews.data.corpora import read_corpus_file
from persnews.data import standoff
from persnews.data.standoff import join_layer, layer_from_documents, read_layer, sentence_hash, write_layer
from persnews.errors import CorpusMismatchError, DataFormatError

SENTENCE = "حسین نوری رئیس شهرداری تهران گفت"  # peyma/train/0 of the fake corpora
NEWS_SENTENCE = "حسين نوري، رئيس شهرداري تهران گفت: کار تمام شد."  # fake fars-news-1, article 0, paragraph 1, 0-47
NEWS_ID = "news-raw/fars-news-1/0/1/0-47"


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


def test_former_relations_are_marked_in_the_layer_and_joined(tmp_path, fake_corpora):
    path = tmp_path / "roles-v1.jsonl"
    path.write_text(layer_line(relations=[{"person": [0, 2], "role": [2, 3], "institution": [3, 5], "former": True}])
                    + "\n", encoding="utf-8")
    layer = read_layer(path)
    assert layer.sentences[0].relations == (((0, 2), (2, 3), (3, 5), True),)
    doc = join_layer(layer, fake_corpora)[0]
    assert doc.relations[0].former
    assert layer_from_documents("roles-v1", [doc], fake_corpora) == layer
    write_layer(tmp_path / "again.jsonl", layer)
    assert '"former": true' in (tmp_path / "again.jsonl").read_text(encoding="utf-8")
    write_layer(tmp_path / "current.jsonl", read_layer(_written(tmp_path, layer_line())))
    assert "former" not in (tmp_path / "current.jsonl").read_text(encoding="utf-8")  # written only when true
    with pytest.raises(DataFormatError, match="former must be true or false"):
        read_layer(_written(tmp_path, layer_line(relations=[{"person": [0, 2], "role": [2, 3], "former": "no"}])))


def _written(tmp_path, line):
    path = tmp_path / "roles-x.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    return path


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


def news_line(**changes):
    record = {"corpus": "news-raw", "file": "fars-news-1", "article": 0, "paragraph": 1, "start": 0, "end": 47,
              "sha": sentence_hash(NEWS_SENTENCE),
              "entities": [{"start": 0, "end": 2, "label": "PER"}, {"start": 3, "end": 4, "label": "ROLE"},
                           {"start": 4, "end": 6, "label": "ORG"}],
              "relations": [{"person": [0, 2], "role": [3, 4], "institution": [4, 6]}]}
    return json.dumps({**record, **changes}, ensure_ascii=False)


@pytest.fixture
def mixed_layer(tmp_path, fake_news):
    """A corpus sentence line and three raw news lines (two sentences of one paragraph, one of another article)."""
    path = tmp_path / "roles-v1.jsonl"
    path.write_text("\n".join([
        layer_line(), news_line(),
        news_line(start=48, end=72, sha=sentence_hash("مريم احمدی در کرمان بود."),
                  entities=[{"start": 0, "end": 2, "label": "PER"}, {"start": 3, "end": 4, "label": "LOC"}],
                  relations=[]),
        news_line(article=1, paragraph=0, start=0, end=22, sha=sentence_hash("سخنگوی شورا امروز آمد."),
                  entities=[], relations=[])]) + "\n", encoding="utf-8")
    return path


def test_raw_news_lines_join_with_exactly_their_own_entities(mixed_layer, fake_corpora):
    stored = mixed_layer.read_text(encoding="utf-8")
    assert "حسين" not in stored and "کرمان" not in stored
    docs = join_layer(read_layer(mixed_layer), fake_corpora)
    assert [d.id for d in docs] == ["layer:roles-v1/peyma/train/0", f"layer:roles-v1/{NEWS_ID}",
                                    "layer:roles-v1/news-raw/fars-news-1/0/1/48-72",
                                    "layer:roles-v1/news-raw/fars-news-1/1/0/0-22"]
    assert docs[1].text == NEWS_SENTENCE  # as stored, Arabic «ي» and all: offsets index the original string
    assert [(e.label, e.text) for e in docs[1].entities] == [("PER", "حسين نوري"), ("ROLE", "رئيس"),
                                                              ("ORG", "شهرداري تهران")]
    assert [(r.person, r.role, r.institution) for r in docs[1].relations] == [(0, 1, 2)]
    assert [(e.label, e.text) for e in docs[2].entities] == [("PER", "مريم احمدی"), ("LOC", "کرمان")]
    assert docs[3].text == "سخنگوی شورا امروز آمد." and docs[3].entities == ()


def test_raw_news_layer_round_trip(mixed_layer, fake_corpora, tmp_path, make_doc):
    layer = read_layer(mixed_layer)
    again = layer_from_documents("roles-v1", join_layer(layer, fake_corpora), fake_corpora)
    assert again == layer
    write_layer(tmp_path / "out" / "roles-v1.jsonl", again)
    written = (tmp_path / "out" / "roles-v1.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["corpus"] for line in written] == ["news-raw"] * 3 + ["peyma"]  # sorted by corpus
    assert list(json.loads(written[0])) == ["corpus", "file", "article", "paragraph", "start", "end", "sha",
                                            "entities", "relations"]
    assert set(read_layer(tmp_path / "out" / "roles-v1.jsonl").sentences) == set(layer.sentences)
    with pytest.raises(DataFormatError) as error:
        layer_from_documents("x", [make_doc(NEWS_ID, "حسين نوري"), make_doc("news-raw/fars-news-1/0/1/047", "x")],
                             fake_corpora)
    assert "is not the text of raw news sentence" in error.value.problems[0]
    assert "is not a raw news sentence id" in error.value.problems[1]


def test_changed_or_missing_news_file_is_a_clear_error(mixed_layer, fake_news, fake_corpora, tmp_path):
    layer = read_layer(mixed_layer)
    fake_news.write_text(fake_news.read_text(encoding="utf-8").replace("رئيس", "رييس"), encoding="utf-8")
    with pytest.raises(CorpusMismatchError) as error:
        join_layer(layer, fake_corpora)
    assert f"roles-v1.jsonl:2: the text of {NEWS_ID} has changed" in str(error.value)
    assert ":3:" not in str(error.value) and ":4:" not in str(error.value)
    gone = tmp_path / "gone.jsonl"
    gone.write_text("\n".join([news_line(article=3), news_line(paragraph=5), news_line(end=500)]), encoding="utf-8")
    with pytest.raises(CorpusMismatchError) as error:
        join_layer(read_layer(gone), fake_corpora)
    for number, corpus_id in [(1, "3/1/0-47"), (2, "0/5/0-47"), (3, "0/1/0-500")]:
        assert f"gone.jsonl:{number}: news-raw/fars-news-1/{corpus_id} is not in the corpus" in str(error.value)
    fake_news.write_text('{"paragraphs": []}', encoding="utf-8")
    with pytest.raises(CorpusMismatchError, match="expected a JSON array of articles"):
        join_layer(layer, fake_corpora)
    fake_news.unlink()
    with pytest.raises(CorpusMismatchError, match="fars-news-1.json is missing"):
        join_layer(layer, fake_corpora)


def test_malformed_news_lines_report_every_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join([
        news_line(removed=[[0, 2]]), news_line(file="fars-news-9"), news_line(start=47, end=47),
        news_line(article=-1), news_line(paragraph="1"), news_line(),
        news_line(start=10, end=60), news_line(),
        news_line(article=1, paragraph=0, end=22, removed=[], entities=[], relations=[])]), encoding="utf-8")
    with pytest.raises(DataFormatError) as error:
        read_layer(path)
    assert [p.split(": ")[0] for p in error.value.problems] == [f"{path}:{n}" for n in (1, 2, 3, 4, 5, 7, 8)]
    reasons = [p.split(": ", 1)[1] for p in error.value.problems]
    assert reasons[:5] == ["removed must be absent or empty on a news-raw line (raw news has no corpus entities)",
                           "news-raw has no file 'fars-news-9'", "sentence offsets need start < end, got 47, 47",
                           "article must be a non-negative integer, got -1",
                           "paragraph must be a non-negative integer, got '1'"]
    assert reasons[5] == f"news-raw/fars-news-1/0/1/10-60 overlaps {NEWS_ID} at line 6"
    assert reasons[6] == f"{NEWS_ID} already annotated at line 6"


def test_news_annotations_that_do_not_fit_the_sentence(tmp_path, fake_news, fake_corpora):
    path = tmp_path / "l.jsonl"
    path.write_text("\n".join([
        news_line(entities=[{"start": 11, "end": 13, "label": "LOC"}], relations=[]),
        news_line(article=1, paragraph=0, end=22, sha=sentence_hash("سخنگوی شورا امروز آمد."),
                  entities=[{"start": 0, "end": 1, "label": "ROLE"}, {"start": 1, "end": 2, "label": "ORG"}],
                  relations=[{"person": [0, 1], "role": [1, 2], "institution": None}])]), encoding="utf-8")
    with pytest.raises(DataFormatError) as error:
        join_layer(read_layer(path), fake_corpora)
    assert ":1: entity 11:13 is past the sentence's 12 tokens" in error.value.problems[0]
    assert ":2: relation (0, 1), (1, 2), None: person points at a ROLE" in error.value.problems[1]


def test_docstring_examples(doctests):
    assert doctests(standoff) > 0
