from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import make_tokenizer
from persnews.data.labels import TAG_IDS
from persnews.document import Document
from persnews.pipeline import load
from persnews.training import LearningRates, ModelArguments, _allowed_bits, _conventions, encode_documents, main

SENTENCES = [
    ("علی رضایی معاون فنی شهرداری شیراز گفت", [(0, 9, "PER"), (10, 19, "ROLE"), (20, 33, "ORG")]),
    ("سخنگوی شورا در تهران گفت", [(0, 6, "ROLE"), (7, 11, "ORG"), (15, 20, "LOC")]),
    ("رضایی در شیراز گفت", [(0, 5, "PER"), (9, 14, "LOC")]),
]


def _write_release(folder: Path) -> None:
    """Plain JSONL files (not a release: the same sentences repeat on purpose, for the model to fit them)."""
    folder.mkdir(parents=True, exist_ok=True)
    docs = []
    for k in range(8):
        text, spans = SENTENCES[k % len(SENTENCES)]
        docs.append(Document.from_dict({"id": f"d{k}", "text": text,
                                        "entities": [{"start": a, "end": b, "label": l} for a, b, l in spans]}))
    for split in ("train", "dev"):
        (folder / f"{split}.jsonl").write_text("".join(d.to_json() + "\n" for d in docs), encoding="utf-8")


def test_possible_titles_get_partial_labels_only_without_role_annotation() -> None:
    words, tags = ["معاون", "فنی", "شهرداری", "گفت"], ["O", "O", "B-ORG", "O"]
    maybe = (1 << TAG_IDS["O"]) | (1 << TAG_IDS["B-ROLE"]) | (1 << TAG_IDS["I-ROLE"])
    assert _allowed_bits(tags, words, has_role=False)[:3] == [maybe, maybe, 1 << TAG_IDS["B-ORG"]]
    assert _allowed_bits(tags, words, has_role=True)[0] == 1 << TAG_IDS["O"]


def test_encoded_windows_label_first_sub_tokens(tmp_path: Path) -> None:
    tokenizer = make_tokenizer(tmp_path / "tok")
    text, spans = SENTENCES[0]
    document = Document.from_dict({"text": text, "entities": [{"start": a, "end": b, "label": l} for a, b, l in spans]})
    [example] = encode_documents([document], ("PER", "ROLE", "ORG", "LOC"), tokenizer, budget=62)
    labelled = [l for l, m in zip(example["labels"], example["word_mask"]) if m]
    assert labelled[:3] == [TAG_IDS["B-PER"], TAG_IDS["I-PER"], TAG_IDS["B-ROLE"]]
    assert all(l == -100 for l, m in zip(example["labels"], example["word_mask"]) if not m)


def test_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        ModelArguments()
    with pytest.raises(ValueError, match="tokenizer"):
        ModelArguments(from_scratch=True)


def test_tiny_training_run_learns_and_round_trips(tmp_path: Path) -> None:
    _write_release(tmp_path / "release")
    make_tokenizer(tmp_path / "tok")
    output = tmp_path / "model"
    metrics = main(["--output_dir", str(output), "--from_scratch", "true", "--tokenizer", str(tmp_path / "tok"),
                    "--layers", "1", "--hidden", "32", "--heads", "2", "--max_window", "64",
                    "--affix_buckets", "101", "--affix_dim", "8", "--context_buckets", "211",
                    "--train", f"{tmp_path}/release/train.jsonl", "--dev", f"{tmp_path}/release/dev.jsonl",
                    "--num_train_epochs", "30", "--learning_rate", "5e-3", "--per_device_train_batch_size", "8",
                    "--logging_steps", "1", "--patience", "30", "--seed", "0", "--disable_tqdm", "true"])
    states = sorted((tmp_path / "model.checkpoints").glob("checkpoint-*/trainer_state.json"),
                    key=lambda path: int(path.parent.name.split("-")[1]))  # the last checkpoint has the whole history
    history = json.loads(states[-1].read_text())["log_history"]
    losses = [entry["loss"] for entry in history if "loss" in entry]
    assert losses[-1] < losses[0] / 2
    assert metrics["eval_f1"] > 0.8
    assert not list(output.glob("*.bin")) and (output / "model.safetensors").is_file()
    document = load(output).extract(SENTENCES[0][0])
    assert [(e.label, e.text) for e in document.entities][:2] == [("PER", "علی رضایی"), ("ROLE", "معاون فنی")]


def test_training_can_continue_from_a_saved_tagger(tiny_model: Path) -> None:
    import torch
    from safetensors.torch import load_file
    from transformers import AutoTokenizer

    from persnews.training import build_model

    saved = load_file(str(tiny_model / "model.safetensors"))
    arguments = ModelArguments(from_scratch=True, tokenizer=str(tiny_model), init_tagger=str(tiny_model),
                               layers=12, hidden=768)  # the saved tagger's own shape wins
    model = build_model(arguments, AutoTokenizer.from_pretrained(tiny_model))
    for name, value in model.state_dict().items():
        assert torch.equal(value, saved[name].float()), name


def test_continuing_can_add_context_features(tiny_model: Path) -> None:
    import torch
    from safetensors.torch import load_file
    from transformers import AutoTokenizer

    from persnews.training import build_model

    saved = load_file(str(tiny_model / "model.safetensors"))
    arguments = ModelArguments(from_scratch=True, tokenizer=str(tiny_model), init_tagger=str(tiny_model),
                               context_buckets=64)
    model = build_model(arguments, AutoTokenizer.from_pretrained(tiny_model))
    assert model.config.context_buckets == 64 and not model.context_scores.weight.any()
    assert all(torch.equal(value, saved[name].float()) for name, value in model.state_dict().items()
               if name != "context_scores.weight")


def test_context_scores_get_their_own_learning_rate(tiny_model: Path, tmp_path: Path) -> None:
    from transformers import AutoTokenizer, TrainingArguments

    from persnews.training import _TaggerTrainer, build_model

    arguments = ModelArguments(from_scratch=True, tokenizer=str(tiny_model), init_tagger=str(tiny_model),
                               context_buckets=64)
    model = build_model(arguments, AutoTokenizer.from_pretrained(tiny_model))
    trainer = _TaggerTrainer(model=model, args=TrainingArguments(str(tmp_path), learning_rate=1e-3, report_to="none"),
                             dev_sets=[], featurizer=None, rates=LearningRates(context_scale=10.0))
    groups = trainer.create_optimizer().param_groups
    [context] = [g for g in groups if any(p is model.context_scores.weight for p in g["params"])]
    assert context["lr"] == 1e-2 and len(context["params"]) == 1
    assert sum(len(g["params"]) for g in groups) == len([p for p in model.parameters() if p.requires_grad])


def test_conventions_put_ours_first_and_need_two() -> None:
    from persnews.data.sources import parse_source

    sets = [(parse_source("peyma:train"), [object()]), (parse_source("data/releases/v1:train"), [object()]),
            (parse_source("arman:fold1"), [object()]), (parse_source("nsurl:train-600k"), [])]
    assert _conventions(sets) == ["persnews", "arman", "peyma"]  # a source with no documents adds none
    assert _conventions(sets[:1]) == [] and _conventions([sets[0], sets[0]]) == []


def test_training_on_two_conventions_conditions_the_tagger(tmp_path: Path) -> None:
    from persnews.evaluation.report import evaluate

    _write_release(tmp_path / "release")
    make_tokenizer(tmp_path / "tok")
    corpora = tmp_path / "corpora"
    (corpora / "peyma").mkdir(parents=True)
    for split in ("train", "dev"):  # PEYMA's convention: here, titles are not entities at all
        (corpora / "peyma" / f"{split}.txt").write_text("علی|B_PER\nرضایی|I_PER\nمعاون|O\nفنی|O\nگفت|O\n\n",
                                                        encoding="utf-8")
    output = tmp_path / "model"
    arguments = ["--from_scratch", "true", "--tokenizer", str(tmp_path / "tok"),
                 "--layers", "1", "--hidden", "32", "--heads", "2", "--max_window", "64",
                 "--affix_buckets", "101", "--affix_dim", "8", "--context_buckets", "211",
                 "--corpora", str(corpora), "--train", f"{tmp_path}/release/train.jsonl", "peyma:train",
                 "--dev", f"{tmp_path}/release/dev.jsonl", "peyma:dev", "--num_train_epochs", "2",
                 "--per_device_train_batch_size", "4", "--seed", "0", "--disable_tqdm", "true"]
    metrics = main(["--output_dir", str(output), *arguments])
    assert json.loads((output / "config.json").read_text())["conventions"] == ["persnews", "peyma"]
    assert "eval_f1_peyma:dev" in metrics
    report = evaluate(str(output), ["peyma:dev", f"{tmp_path}/release/dev.jsonl"], corpora=str(corpora),
                      convention="source")
    assert [s["convention"] for s in report["sources"].values()] == ["peyma", "persnews"]
    main(["--output_dir", str(tmp_path / "plain"), "--conventions", "false", *arguments])
    assert json.loads((tmp_path / "plain" / "config.json").read_text())["conventions"] == []


def test_pretrained_encoder_and_new_parts_get_their_own_rates(tiny_model: Path, tmp_path: Path) -> None:
    from transformers import AutoTokenizer

    from persnews.training import build_model, learning_rate_groups

    arguments = ModelArguments(from_scratch=True, tokenizer=str(tiny_model), init_tagger=str(tiny_model))
    model = build_model(arguments, AutoTokenizer.from_pretrained(tiny_model))
    groups = learning_rate_groups(model, 1e-4, LearningRates(head=1e-3, layer_decay=0.5), [], 0.0)
    rate = {id(p): g["lr"] for g in groups for p in g["params"]}
    assert rate[id(model.crf.transitions)] == rate[id(model.classifier.weight)] == 1e-3
    assert rate[id(model.bert.encoder.layer[0].output.dense.weight)] == 1e-4  # the top layer (of one)
    assert rate[id(model.bert.embeddings.word_embeddings.weight)] == 5e-5  # one layer below it
    assert rate[id(model.feature_projection.weight)] == 5e-5  # added to the encoder's input: embedding rate
    assert len(rate) == len([p for p in model.parameters() if p.requires_grad])
