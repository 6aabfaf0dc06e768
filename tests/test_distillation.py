from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from helpers import make_tiny_model, make_tokenizer
from persnews.corpus.shards import MANIFEST
from persnews.data.labels import BIO_TAGS
from persnews.data.sources import load_source, parse_source
from persnews.distillation import label_corpus, labelling, read_silver
from persnews.distillation.silver import decode_marginals, silver_targets
from persnews.errors import DataSourceError, ModelLoadError, OutputConflictError, TrainingError
from persnews.modeling import best_tags, tag_marginals
from persnews.normalization import normalize
from persnews.pretraining import file_paragraphs
from persnews.segmentation import Sentence, Token, sentences
from persnews.tagging import Tagger
from persnews.training import main as train_main
from persnews.weights import load_weights, save_weights

ARTICLE = {"title": "علی رضایی معاون فنی شهرداری شیراز گفت", "abstract": "سخنگوی شورا در تهران گفت",
           "paragraphs": ["علی رضایي معاون فني شهرداري شيراز گفت: در تهران. رضایی گفت", "شورا و شهرداری تهران"]}
LINES = ["رضایی در تهران گفت و معاون شورا گفت", "سخنگوی شهرداری شیراز، علی رضایی، گفت",
         "معاون فنی شورا در شیراز گفت"]


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two news-raw articles files and a raw-extra file, written by the test (about 170 words)."""
    root = tmp_path_factory.mktemp("corpora")
    (root / "news-raw").mkdir()
    (root / "raw-extra").mkdir()
    for k in (1, 2):
        (root / "news-raw" / f"fars-news-{k}.json").write_text(json.dumps([ARTICLE] * 2, ensure_ascii=False),
                                                               encoding="utf-8")
    (root / "raw-extra" / "lines.txt").write_text("\n".join(LINES * 3) + "\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def teacher(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny tagger made confident (its classifier scaled up), so its marginals are far from uniform."""
    directory = make_tiny_model(tmp_path_factory.mktemp("teacher") / "tiny", seed=3)
    state = load_weights(directory / "model.safetensors")
    state = {k: v.float() if v.is_floating_point() else v for k, v in state.items()}
    state["classifier.weight"] = state["classifier.weight"] * 60
    save_weights(state, directory / "model.safetensors", "float16")
    return directory


def _label(teacher: Path, corpora: Path, output: Path, **options) -> labelling.LabelSummary:
    settings = {"words": 120, "shard_words": 40, "corpora": corpora, "precision": "float32", **options}
    return label_corpus(teacher, output, **settings)


def _rows(output: Path) -> list[dict]:
    return [json.loads(line) for path in sorted(output.glob("part-*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines()]


def test_labelling_writes_shards_and_a_rerun_skips_them(teacher: Path, corpora: Path, tmp_path: Path) -> None:
    output = tmp_path / "silver"
    first = _label(teacher, corpora, output)
    shards = sorted(output.glob("part-*.jsonl"))
    assert first.shards == len(shards) >= 3 and first.skipped_shards == 0
    assert 120 <= first.words < 160 and first.sentences == len(_rows(output))
    written = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in shards}
    again = _label(teacher, corpora, output)
    assert (again.skipped_shards, again.words, again.sentences) == (first.shards, 0, 0)
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in output.glob("part-*.jsonl")} == written
    shards[1].unlink()  # a lost shard is labelled again, the same bytes (fp32 is deterministic)
    redone = _label(teacher, corpora, output)
    assert redone.skipped_shards == first.shards - 1 and shards[1].read_bytes() == written[shards[1].name][0]
    with pytest.raises(OutputConflictError, match="shard_words"):
        _label(teacher, corpora, output, shard_words=50)


def test_a_run_killed_mid_shard_leaves_no_half_shard(teacher: Path, corpora: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    output = tmp_path / "silver"
    real = labelling.label_paragraphs
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            return real(*args, **kwargs) + [{"id": "x", "words": object()}]  # fails halfway through writing
        return real(*args, **kwargs)

    monkeypatch.setattr(labelling, "label_paragraphs", failing)
    with pytest.raises(TypeError):
        _label(teacher, corpora, output)
    assert [p.name for p in output.glob("part-*")] == ["part-00000.jsonl"]
    assert not list(output.glob(".*.tmp"))
    (output / ".part-00001.jsonl.abc123.tmp").write_text('{"id": "half', encoding="utf-8")  # as SIGKILL leaves it
    monkeypatch.setattr(labelling, "label_paragraphs", real)
    summary = _label(teacher, corpora, output)
    assert summary.skipped_shards == 1 and not list(output.glob(".*.tmp"))
    assert all(row["words"] for row in _rows(output))


def test_marginals_sum_to_one_and_agree_with_the_tags(teacher: Path, corpora: Path, tmp_path: Path) -> None:
    output = tmp_path / "silver"
    _label(teacher, corpora, output)
    tags = json.loads((output / MANIFEST).read_text())["tags"]
    confident = 0
    for row in _rows(output):
        marginals = decode_marginals(row["marginals"], len(tags)).astype(np.float32)
        assert marginals.shape == (len(row["words"]), len(tags))
        assert np.allclose(marginals.sum(axis=1), 1, atol=4e-3)
        for word, tag in zip(marginals, row["tags"]):
            if word.max() > 0.5:
                confident += 1
                assert tags[int(word.argmax())] == tag
    assert confident > 50
    # the same tags and confidences as the tagger's own inference path (spans come from these)
    tagger = Tagger.load(teacher, precision="float32")
    paragraph = list(file_paragraphs(corpora / "news-raw" / "fars-news-1.json"))[0]
    tagged = tagger.word_results([sentences(normalize(paragraph))],
                                 lambda e, m: best_tags(e, m, tagger.model.crf))[0]
    row = next(r for r in _rows(output) if r["id"] == "news-raw/fars-news-1.json:0:0")
    assert row["tags"] == [tagger.tags[t] for t, _ in tagged]
    stored = decode_marginals(row["marginals"], len(tags))
    assert np.allclose([stored[k, t] for k, (t, _) in enumerate(tagged)], [p for _, p in tagged], atol=2e-3)


def test_the_words_are_the_pipelines_tokens_and_every_source_is_mixed_in(teacher: Path, corpora: Path,
                                                                         tmp_path: Path) -> None:
    output = tmp_path / "silver"
    _label(teacher, corpora, output, words=10_000)
    rows = _rows(output)
    for row in rows:
        source, paragraph, sentence = row["id"].rsplit(":", 2)
        text = list(file_paragraphs(corpora / source))[int(paragraph)]
        assert row["words"] == [t.text for t in sentences(normalize(text))[int(sentence)].tokens]
    assert any("ي" in line for line in ARTICLE["paragraphs"]) and not any("ي" in w for r in rows for w in r["words"])
    # one paragraph from each file in turn (the titles and the first line are one sentence each)
    assert [r["id"] for r in rows[:3]] == ["news-raw/fars-news-1.json:0:0", "news-raw/fars-news-2.json:0:0",
                                           "raw-extra/lines.txt:0:0"]


def test_typed_errors(teacher: Path, corpora: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError):
        label_corpus(tmp_path / "no-model", tmp_path / "out", corpora=corpora)
    empty = tmp_path / "empty"
    (empty / "raw-extra").mkdir(parents=True)
    (empty / "raw-extra" / "blank.txt").write_text("\n  \n", encoding="utf-8")
    with pytest.raises(DataSourceError, match="no unlabelled text"):
        label_corpus(teacher, tmp_path / "out", corpora=empty)
    assert not (tmp_path / "out").exists()
    for spec in ("silver:", "silver:runs/s:medium", "silver:runs/s:soft:0.5", "silver:runs/s:hard:1.5",
                 "silver:runs/s:hard:high", "nonsense"):
        with pytest.raises(DataSourceError):
            parse_source(spec)
    with pytest.raises(DataSourceError, match="not a silver folder"):
        read_silver(tmp_path)
    with pytest.raises(DataSourceError, match="training data"):
        load_source(parse_source(f"silver:{tmp_path}"))


def test_silver_specs() -> None:
    assert (parse_source("silver:runs/s").part, parse_source("silver:runs/s").threshold) == ("soft", None)
    assert (parse_source("silver:runs/s:hard").part, parse_source("silver:runs/s:hard").threshold) == ("hard", 0.9)
    assert parse_source("silver:runs/s:hard:0.75").name == "runs/s"


def test_hard_targets_are_credible_sets_around_the_teachers_tag(teacher: Path, corpora: Path,
                                                                 tmp_path: Path) -> None:
    _label(teacher, corpora, tmp_path / "silver")
    for sentence in read_silver(tmp_path / "silver"):
        labels, bits, soft = silver_targets(sentence, "hard", 0.9)
        assert soft is None
        for tag, label, allowed, marginals in zip(sentence.tags, labels, bits, sentence.marginals.astype(float)):
            tag_id = BIO_TAGS.index(tag)
            members = [t for t in range(len(BIO_TAGS)) if allowed >> t & 1]
            assert tag_id in members
            assert marginals[members].sum() >= 0.9 - 2e-3 or tag_id == members[-1]
            assert label == (tag_id if members == [tag_id] else -100)
        labels, bits, soft = silver_targets(sentence, "soft", None)
        assert set(labels) == {-100} and soft is sentence.marginals


def _student(tmp_path: Path, train: list[str], epochs: int, options: tuple[str, ...] = ()) -> dict:
    """Train a tiny student on a one-sentence gold file (GOLD in ``train``) and silver; its training card."""
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "g", "text": "علی رضایی در تهران گفت", "entities": [
        {"start": 0, "end": 9, "label": "PER"}, {"start": 13, "end": 18, "label": "LOC"}]}, ensure_ascii=False) + "\n",
        encoding="utf-8")
    make_tokenizer(tmp_path / "tok")
    output = tmp_path / "student"
    train_main(["--output_dir", str(output), "--from_scratch", "true", "--tokenizer", str(tmp_path / "tok"),
                "--layers", "1", "--hidden", "32", "--heads", "2", "--max_window", "64", "--affix_buckets", "101",
                "--affix_dim", "8", "--train", *[s.replace("GOLD", str(gold)) for s in train], "--dev", str(gold),
                "--num_train_epochs", str(epochs), "--learning_rate", "5e-3", "--per_device_train_batch_size", "8",
                "--logging_steps", "1", "--patience", "100", "--seed", "0", "--disable_tqdm", "true",
                "--save_strategy", "no", "--load_best_model_at_end", "false", *options])
    card = json.loads((output / "training.json").read_text())
    assert card["silver_sentences"] and (output / "model.safetensors").is_file()
    return card


def _kl_to_teacher(student: Path, silver: Path) -> float:
    """Mean KL divergence from the teacher's marginals to the student's, over the silver words."""
    tagger = Tagger.load(student, precision="float32")
    sents = read_silver(silver)
    documents = [[Sentence(tuple(Token(w, 0, 0) for w in s.words), 0, 0)] for s in sents]
    student_marginals = tagger.word_results(documents, lambda e, m: [list(p) for _, p in
                                                                     tag_marginals(e, m, tagger.model.crf)])
    total = count = 0.0
    for sentence, predicted in zip(sents, student_marginals):
        q = sentence.marginals.astype(np.float64)
        p = np.clip(np.array(predicted, dtype=np.float64), 1e-9, None)
        total += float((q * (np.log(np.clip(q, 1e-9, None)) - np.log(p))).sum())
        count += len(q)
    return total / count


@pytest.mark.parametrize("mode", ["soft", "hard:0.8"])
def test_students_learn_from_silver_in_both_modes(mode: str, teacher: Path, corpora: Path, tmp_path: Path) -> None:
    silver = tmp_path / "silver"
    _label(teacher, corpora, silver, words=400)
    (tmp_path / "short").mkdir()
    _student(tmp_path / "short", ["GOLD", f"silver:{silver}:{mode}"], epochs=1)
    card = _student(tmp_path, ["GOLD", f"silver:{silver}:{mode}"], epochs=25)
    assert card["silver_sentences"] == {f"silver:{silver}:{mode}": len(read_silver(silver))}
    # the longer-trained student is closer to the teacher: the loss moved the way it should
    assert _kl_to_teacher(tmp_path / "student", silver) < 0.6 * _kl_to_teacher(tmp_path / "short" / "student", silver)


def test_soft_targets_need_a_crf(teacher: Path, corpora: Path, tmp_path: Path) -> None:
    _label(teacher, corpora, tmp_path / "silver")
    with pytest.raises(TrainingError, match="CRF"):
        _student(tmp_path, ["GOLD", f"silver:{tmp_path / 'silver'}"], epochs=1, options=["--use_crf", "false"])


def test_the_silver_cap_takes_the_first_sentences(teacher: Path, corpora: Path, tmp_path: Path) -> None:
    _label(teacher, corpora, tmp_path / "silver")
    every = read_silver(tmp_path / "silver")
    assert [s.id for s in read_silver(tmp_path / "silver", limit=3)] == [s.id for s in every[:3]]
