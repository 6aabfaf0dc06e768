"""Make annotation tasks for the stand-off ROLE layer, and collect the annotators' answers into a layer file.

How the layer ``roles-v1`` was made (see data/README.md):
1. ``make`` picks corpus sentences that contain a title head (features.ROLE_HEADS),
   pre-annotates ROLE spans by rule (head + following untagged words, stopping
   at punctuation, prepositions and verbs of speech) and writes task files
   OUTSIDE the repository (they hold corpus text, which must not be committed).
2. Annotators read every sentence against the guidelines and write an answer
   file beside each task: per sentence, its final ROLE spans, relations and
   any corrections of the corpus's own PER/ORG/LOC.
3. ``collect`` turns the answers into the layer JSONL (token offsets and a
   sentence hash only; no corpus text), applying the harmonisation decisions
   taken after the five passes (``_harmonise``), and checks it by joining it
   with the corpora. The answers hold ids and numbers only, so they are kept
   in ``data/layers/answers/``: the layer can be rebuilt from them.

    python data/layers/tasks.py make --out /tmp/layer-tasks --batches 5 --per-batch 410
    python data/layers/tasks.py collect data/layers/answers/*.ann -o data/layers/roles-v1.jsonl

Answer format, one block per sentence (token spans are [start, end), end excluded)::

    ## peyma/train/123
    ROLE 7 9
    REL 5 7 | 7 9 | 9 12        (person | role | institution, or '-' for none)
    FIX 9 12 LOC                (a corpus entity at tokens 9..12 relabelled; FIX a b O removes it,
                                 FIX a b LABEL on untagged tokens adds one)
A block with no lines means "read: no specific role here".
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from persnews.data.corpora import corpora_root, corpus_file_path, read_corpus_file  # noqa: E402
from persnews.data.standoff import Layer, LayerSentence, join_layer, sentence_hash, write_layer  # noqa: E402
from persnews.features import is_role_head  # noqa: E402

QUOTAS = {("peyma", "train"): 300, ("peyma", "dev"): 80, ("peyma", "test"): 220,
          ("arman", "fold1"): 250, ("arman", "fold2"): 250, ("arman", "fold3"): 200, ("nsurl", "train-600k"): 760}
_STOP = {"در", "با", "از", "به", "که", "گفت", "افزود", "این", "آن", "را", "نیز", "هم", "است", "بود", "کرد", "شد",
         "خبر", "اظهار", "تصریح", "داد", "می", "گزارش"}


def _pre_roles(tokens: tuple[str, ...], spans: tuple[tuple[int, int, str], ...]) -> list[tuple[int, int]]:
    tagged = {k for a, b, _ in spans for k in range(a, b)}
    roles, k = [], 0
    while k < len(tokens):
        if k not in tagged and is_role_head(tokens[k]):
            end = k + 1
            while (end < len(tokens) and end - k < 5 and end not in tagged and tokens[end] not in _STOP
                   and re.match(r"^\w", tokens[end])):
                end += 1
            roles.append((k, end))
            k = end
        else:
            k += 1
    return roles


def make(out: Path, batches: int, per_batch: int, seed: int = 7) -> None:
    root = corpora_root()
    rng = random.Random(seed)
    chosen = []
    for (corpus, stem), quota in QUOTAS.items():
        sentences = read_corpus_file(corpus, corpus_file_path(corpus, stem, root)).sentences
        with_titles = [s for s in sentences if _pre_roles(s.tokens, s.spans) and 6 <= len(s.tokens) <= 70]
        chosen += rng.sample(with_titles, min(quota, len(with_titles)))
    rng.shuffle(chosen)
    out.mkdir(parents=True, exist_ok=True)
    for b in range(batches):
        lines = []
        for s in chosen[b * per_batch:(b + 1) * per_batch]:
            tags = ["O"] * len(s.tokens)
            for a, e, label in s.spans:
                tags[a:e] = [f"B-{label}"] + [f"I-{label}"] * (e - a - 1)
            shown = " ".join(f"{k}:{t}" + ("" if tag == "O" else f"[{tag}]") for k, (t, tag) in enumerate(zip(s.tokens, tags)))
            pre = "; ".join(f"ROLE {a} {e}" for a, e in _pre_roles(s.tokens, s.spans))
            lines += [f"## {s.id}", f"tokens: {shown}", f"pre: {pre}", ""]
        (out / f"batch-{b + 1}.txt").write_text("\n".join(lines), encoding="utf-8")
    print(f"{min(len(chosen), batches * per_batch)} sentences in {batches} task files under {out}")


def _parse_answers(path: Path) -> dict[str, list[str]]:
    blocks: dict[str, list[str]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            blocks[current] = []
        elif line.strip() and current is not None:
            blocks[current].append(line.strip())
    return blocks


_EDGE_MODIFIERS = {"سابق", "اسبق", "وقت", "پیشین", "قبلی", "جدید", "فعلی", "منتخب"}


def _harmonise(tokens: tuple[str, ...], span: tuple[int, int]) -> tuple[int, int]:
    """Decisions taken where annotators differed: «نماینده مردم» is one ROLE; time modifiers at a
    title's edge («سابق», «وقت», ...) stay outside it."""
    a, b = span
    if b - a == 1 and tokens[a] == "نماینده" and b < len(tokens) and tokens[b] == "مردم":
        b += 1
    while b - a > 1 and tokens[b - 1] in _EDGE_MODIFIERS:
        b -= 1
    return a, b


def _span(text: str) -> tuple[int, int] | None:
    parts = text.split()
    return None if parts == ["-"] else (int(parts[0]), int(parts[1]))


def collect(answers: list[Path], output: Path) -> None:
    root = corpora_root()
    by_file: dict[tuple[str, str], dict] = {}
    annotations, problems = [], []
    for path in answers:
        for sentence_id, lines in _parse_answers(path).items():
            corpus, stem, index = sentence_id.split("/")
            key = (corpus, stem)
            if key not in by_file:
                by_file[key] = {s.id: s for s in read_corpus_file(corpus, corpus_file_path(corpus, stem, root)).sentences}
            sentence = by_file[key][sentence_id]
            entities = {(a, b): label for a, b, label in sentence.spans}
            relations = []
            moved: dict[tuple[int, int] | None, tuple[int, int] | None] = {}
            try:
                for line in lines:
                    kind, _, rest = line.partition(" ")
                    if kind == "ROLE":
                        span = _span(rest)
                        moved[span] = _harmonise(sentence.tokens, span)
                        entities[moved[span]] = "ROLE"
                    elif kind == "FIX":
                        a, b, label = rest.split()
                        overlapping = [s for s in entities if s[0] < int(b) and int(a) < s[1]]
                        for s in overlapping:
                            del entities[s]
                        if label != "O":
                            entities[(int(a), int(b))] = label
                    elif kind == "REL":
                        relations.append(tuple(moved.get(span, span) for span in map(_span, rest.split("|"))))
                    else:
                        raise ValueError(f"unknown line {line!r}")
            except (ValueError, IndexError, TypeError) as error:
                problems.append(f"{path}: {sentence_id}: {error}")
                continue
            final = set((a, b, label) for (a, b), label in entities.items())
            original = set(sentence.spans)
            annotations.append((sentence, tuple(sorted(final - original)),
                                tuple(sorted((a, b) for a, b, _ in original - final)), tuple(relations)))
    layer_sentences = []
    for number, (sentence, added, removed, relations) in enumerate(annotations, 1):
        corpus, stem, index = sentence.id.split("/")
        layer_sentences.append(LayerSentence(number, corpus, stem, int(index), sentence_hash(sentence.text),
                                             added, relations, removed))
    layer = Layer(output.stem, tuple(layer_sentences), str(output))
    for problem in problems:
        print(problem, file=sys.stderr)
    write_layer(output, layer)
    documents = join_layer(layer, root)
    print(f"{len(documents)} sentences written to {output}; {len(problems)} blocks skipped")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    m = commands.add_parser("make")
    m.add_argument("--out", type=Path, required=True)
    m.add_argument("--batches", type=int, default=5)
    m.add_argument("--per-batch", type=int, default=400)
    c = commands.add_parser("collect")
    c.add_argument("answers", nargs="+", type=Path)
    c.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "make":
        make(args.out, args.batches, args.per_batch)
    else:
        collect(args.answers, args.output)


if __name__ == "__main__":
    main()
