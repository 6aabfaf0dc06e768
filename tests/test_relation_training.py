"""A tiny training run on documents written here: the scorer fits them, saves safely and loads back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from safetensors.torch import load_file

from persnews.data.authoring import parse_markup
from persnews.data.standoff import sentence_hash
from persnews.document import Document
from persnews.errors import ModelLoadError, TrainingError
from persnews.normalization import normalize
from persnews.relation_training import evaluate, load_layer_split, load_release, main, predict, report, train_relations
from persnews.relation_scorer import RelationScorer
from persnews.relations import SentenceCues, extract_relations
from persnews.segmentation import sentences

MARKUP = """\
### t-1
[[PER#1|حسین نوری]]، [[ROLE#2|معاون فنی]] [[ORG#3|شهرداری شیراز]] گفت: کار تمام شد.
[[ROLE|شهردار]] [[LOC|شیراز]] نیز در این جلسه حضور داشت.
rel: 1 2 3
official: حسین نوری | معاون فنی | شهرداری شیراز

### t-2
[[ROLE#1|رئیس]] [[ORG#2|شورای شهر قم]]، [[PER#3|مریم احمدی]] گفت: بودجه تصویب شد.
[[PER|احمدی]] افزود: هزینه‌ها کم شد.
rel: 3 1 2
official: مریم احمدی | رئیس | شورای شهر قم

### t-3
با حکم [[ROLE|شهردار]] [[LOC|تهران]]، [[PER#1|علی رضایی]] به سمت [[ROLE#2|معاون مالی]] [[ORG#3|شهرداری تهران]] منصوب شد.
rel: 1 2 3
official: علی رضایی | معاون مالی | شهرداری تهران

### t-4
[[PER#1|ژیلا خلجی]]، [[ROLE#2|نماینده مردم]] [[LOC#3|اهواز]] با [[ROLE|استاندار]] [[LOC|خوزستان]] دیدار کرد.
rel: 1 2 3
official: ژیلا خلجی | نماینده مردم | اهواز

### t-5
[[ROLE#1|مدیرعامل]] [[ORG#2|شرکت واحد]] [[PER#3|بابک جوهری]] گفت: اتوبوس‌ها می‌رسند.
rel: 3 1 2
official: بابک جوهری | مدیرعامل | شرکت واحد

### t-6
[[PER|سارا فرجی]]، از دانشجویان، به [[ROLE|خبرنگار]] [[ORG|ایسنا]] گفت: راننده خسته بود.

### t-7
[[PER#1|کاوه زرین]]، [[ROLE#2|رئیس]] [[ORG#3|هیئت کوهنوردی]] از [[PER|علی کاظمی]] و [[ROLE|فرماندار]] [[LOC|کرج]] تشکر کرد.
rel: 1 2 3
official: کاوه زرین | رئیس | هیئت کوهنوردی

### t-8
[[ROLE#1|گزارشگر]]: [[PER#2|نرگس یگانه]]
rel: 2 1 -
official: نرگس یگانه | گزارشگر | -
"""


@pytest.fixture(scope="module")
def documents():
    return parse_markup(MARKUP)


@pytest.fixture(scope="module")
def scorer(documents):
    return RelationScorer.train(documents, epochs=200, seed=0)


def gold_pairs(doc):
    return {(r.person, r.role) for r in doc.relations}


def test_the_scorer_fits_its_training_documents(documents, scorer):
    for doc in documents:
        found = extract_relations(doc.text, sentences(normalize(doc.text)), doc.entities, scorer)
        assert {(r.person, r.role) for r in found} == gold_pairs(doc), doc.id
        assert all(0.5 <= r.score <= 1.0 for r in found)


def test_the_scorer_keeps_negatives_below_the_threshold(documents, scorer):
    for doc in documents:
        for cues in SentenceCues.for_document(doc.text, sentences(normalize(doc.text)), doc.entities):
            for group in cues.groups:
                for person in cues.persons:
                    holds = any((person, role) in gold_pairs(doc) for role in group)
                    assert (scorer.probability(cues.features(person, group)) >= 0.5) == holds, doc.id


def test_training_is_deterministic(documents, scorer):
    again = RelationScorer.train(documents, epochs=200, seed=0)
    assert again.feature_names == scorer.feature_names
    assert again.weights.tolist() == scorer.weights.tolist()


def test_save_and_load_round_trip_without_pickle(tmp_path, documents, scorer):
    scorer.save(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["relations.json", "relations.safetensors"]
    config = json.loads((tmp_path / "relations.json").read_text(encoding="utf-8"))
    assert config["features"] == list(scorer.feature_names)
    assert set(load_file(str(tmp_path / "relations.safetensors"))) == {"weights", "bias"}
    loaded = RelationScorer.load(tmp_path)
    assert predict(documents, loaded) == predict(documents, scorer)


def test_loading_a_broken_directory_is_a_model_load_error(tmp_path, scorer):
    with pytest.raises(ModelLoadError):
        RelationScorer.load(tmp_path)
    scorer.save(tmp_path)
    config = json.loads((tmp_path / "relations.json").read_text(encoding="utf-8"))
    config["features"] = config["features"][:-1]
    (tmp_path / "relations.json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(ModelLoadError):
        RelationScorer.load(tmp_path)


def test_nothing_to_learn_is_a_training_error(documents):
    with pytest.raises(TrainingError):
        RelationScorer.train([documents[5]])


def test_predict_builds_documents_with_relations_and_officials(documents):
    (doc,) = predict([documents[1]])
    assert doc.id == "t-2" and doc.entities == documents[1].entities
    assert [(o.name, o.positions[0].role, o.positions[0].institution) for o in doc.officials] == [
        ("مریم احمدی", "رئیس", "شورای شهر قم")]
    report = evaluate(documents)
    assert report["triples"]["f1"] == 1.0 and report["facts"]["f1"] == 1.0 and report["facts_former"]["f1"] == 1.0


def test_the_former_flag_is_measured_apart_from_the_holder():
    text = "علی رضایی، شهردار سابق قم، گفت: بله."
    marked = Document.from_dict({"id": "f", "text": text, "entities": [
        {"start": 0, "end": 9, "label": "PER"}, {"start": 11, "end": 17, "label": "ROLE"},
        {"start": 23, "end": 25, "label": "LOC"}], "relations": [{"person": 0, "role": 1, "institution": 2,
                                                                   "former": True}]})
    unmarked = Document.from_dict({**marked.to_dict(), "relations": [{"person": 0, "role": 1, "institution": 2}]})
    assert predict([marked])[0].relations[0].former
    assert evaluate([marked])["triples_former"]["f1"] == 1.0
    scores = evaluate([unmarked])  # gold that missed the «سابق»: the holder is right, the flag is not
    assert scores["triples"]["f1"] == 1.0 and scores["triples_former"]["f1"] == 0.0


def test_train_relations_writes_beside_other_model_files(tmp_path, documents):
    output = tmp_path / "model"
    output.mkdir()
    (output / "config.json").write_text("{}", encoding="utf-8")
    metrics = train_relations(documents, output, epochs=50)
    assert sorted(p.name for p in output.iterdir()) == ["config.json", "relations.json", "relations.safetensors"]
    release = load_release(documents)
    assert metrics["train_documents"] == len(release.train)
    for split in ("dev", "test"):
        assert metrics[split]["documents"] == len(release.split(split))
        for system in ("rules", "scorer"):
            assert set(metrics[split][system]) == {"triples", "facts", "triples_former", "facts_former"}
            assert "errors" not in metrics[split][system]["triples"]
    RelationScorer.load(output)


def test_failed_training_leaves_the_previous_scorer(tmp_path, documents, scorer):
    scorer.save(tmp_path)
    before = (tmp_path / "relations.safetensors").read_bytes()
    with pytest.raises(TrainingError):
        train_relations([documents[5]], tmp_path)
    assert (tmp_path / "relations.safetensors").read_bytes() == before


def test_one_command_from_markup_files(tmp_path, capsys):
    data = tmp_path / "authored"
    data.mkdir()
    (data / "batch-x.txt").write_text(MARKUP, encoding="utf-8")
    main(["--data", str(data), "--output_dir", str(tmp_path / "out"), "--epochs", "50"])
    printed = capsys.readouterr().out
    assert "test scorer triples" in printed and "test triples errors" in printed
    assert (Path(tmp_path / "out") / "relations.safetensors").is_file()


def test_not_a_release_is_a_training_error(tmp_path):
    with pytest.raises(TrainingError):
        load_release(tmp_path)


# --- stand-off layers --------------------------------------------------------------------------------

LAYER_SENTENCES = {  # peyma file → tokens of its one sentence (PER 0-2, ROLE 2-3, ORG 3-5): written here
    "train": ["حسین", "نوری", "رئیس", "شورای", "قم", "گفت"],
    "dev": ["مریم", "احمدی", "معاون", "شهرداری", "کرج", "گفت"],
    "test": ["علی", "کاظمی", "مدیر", "موزه", "ملی", "گفت"],
}


@pytest.fixture
def layer(tmp_path):
    """A corpora folder with one PEYMA sentence per file and a layer adding a ROLE and a relation to each."""
    corpora = tmp_path / "corpora"
    (corpora / "peyma").mkdir(parents=True)
    lines = []
    for stem, tokens in LAYER_SENTENCES.items():
        tags = ["B_PER", "I_PER", "O", "B_ORG", "I_ORG", "O"]
        (corpora / "peyma" / f"{stem}.txt").write_text(
            "".join(f"{t}|{tag}\n" for t, tag in zip(tokens, tags)) + "\n", encoding="utf-8")
        lines.append(json.dumps({"corpus": "peyma", "file": stem, "sentence": 0, "sha": sentence_hash(" ".join(tokens)),
                                 "entities": [{"start": 2, "end": 3, "label": "ROLE"}],
                                 "relations": [{"person": [0, 2], "role": [2, 3], "institution": [3, 5]}]}))
    path = tmp_path / "roles-x.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, corpora


def test_a_layer_split_is_read_from_the_corpora(layer):
    path, corpora = layer
    (doc,) = load_layer_split(path, "dev", corpora)
    assert [(e.label, e.text) for e in doc.entities] == [("PER", "مریم احمدی"), ("ROLE", "معاون"),
                                                          ("ORG", "شهرداری کرج")]
    assert [(r.person, r.role, r.institution) for r in doc.relations] == [(0, 1, 2)]


def test_train_relations_adds_a_layers_train_split_and_scores_its_dev_and_test(tmp_path, documents, layer):
    path, corpora = layer
    release = load_release(documents)
    metrics = train_relations(documents, tmp_path / "model", epochs=50, layers=[path], corpora=corpora)
    assert metrics["train_documents"] == len(release.train) + 1
    for split in ("dev", "test"):
        scores = metrics["layers"][str(path)][split]
        assert scores["documents"] == 1
        assert scores["rules"]["triples"]["f1"] == 1.0 and scores["scorer"]["triples"]["support"] == 1
    printed = report(metrics)
    layer_lines = [line.split()[1:4] for line in printed.splitlines() if line.startswith(f"{path} ")]
    assert layer_lines == [[split, system, kind] for split in ("dev", "test") for system in ("rules", "scorer")
                           for kind in ("triples", "triples_former")]
    assert "layers" not in train_relations(documents, tmp_path / "plain", epochs=50)


LINKED = """\
### l-{n}
[[PER|{name}]] در این دیدار به دنبال سه امتیاز است.
[[ROLE|سرمربی]] [[ORG|{team}]] که دو بازیکن را از دست داده، چشم به امتیاز دوخته است.
[[PER|{other}]] در این دیدار بازی کرد.
پس از بازی با [[ROLE|خبرنگار]] [[ORG|ایسنا]] گفتگو کرد.
official: {name} | سرمربی | {team}
"""
PEOPLE = [("برانکو", "پرسپولیس", "علی علیپور"), ("جلالی", "سایپا", "مهدی ترابی"), ("قلعه‌نویی", "سپاهان", "وحید امیری"),
          ("کرانچار", "تیم امید", "رضا قوچان‌نژاد")]


def test_title_links_are_learned_from_officials_saved_and_loaded(tmp_path, documents):
    linked = parse_markup("".join(LINKED.format(n=n, name=a, team=b, other=c) for n, (a, b, c) in enumerate(PEOPLE)))
    assert RelationScorer.train(documents + linked, epochs=200, seed=0).titles is None  # off unless asked
    scorer = RelationScorer.train(documents + linked, epochs=200, seed=0, title_links=True)
    assert scorer.titles is not None
    facts = {(o.name, p.role, p.institution) for doc in predict(linked, scorer) for o in doc.officials
             for p in o.positions}
    assert facts == {(a, "سرمربی", b) for a, b, _ in PEOPLE}
    assert all(not doc.officials for doc in predict(linked))  # the rules need a verb of speech
    scorer.save(tmp_path)
    assert set(load_file(str(tmp_path / "relations.safetensors"))) == {"weights", "bias", "title_weights",
                                                                       "title_bias"}
    assert predict(linked, RelationScorer.load(tmp_path)) == predict(linked, scorer)


def test_a_scorer_without_title_links_loads_and_keeps_the_rules(tmp_path, documents, scorer):
    scorer.save(tmp_path)
    config = json.loads((tmp_path / "relations.json").read_text(encoding="utf-8"))
    assert "title_features" not in config
    assert RelationScorer.load(tmp_path).titles is None
