"""The ``persnews`` command: each subcommand parses arguments, calls one library function, prints.

    persnews extract [FILE ...|-] [--model PATH] [--format json|jsonl|conll|html|text] [--batch-size N]
    persnews extract-corpus INPUT... --output DIR [--engine local|ray] [--address ADDR] [--workers N] ...
                     [--backend torch|onnx]
    persnews train ...        persnews train-relations ...          persnews evaluate MODEL DATA ...
    persnews pretrain ...     persnews serve [--model NAME] [--host 127.0.0.1] [--port 8000]
    persnews distil label --teacher MODEL --output DIR [--words N] [--shard-words N] [--fp32|--bf16]
    persnews data {stats,validate,merge,import,export-labelstudio,build-release} ...
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from . import __version__
from .data.cli import add_data_commands
from .errors import InputDecodeError, PersnewsError


def read_inputs(paths: Sequence[str]) -> list[tuple[str, str]]:
    """(name, text) of each file, or of standard input for ``-`` or no path; bad UTF-8 names the file."""
    inputs = []
    for path in paths or ["-"]:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        name = "<stdin>" if path == "-" else path
        try:
            inputs.append((name, data.decode("utf-8-sig")))
        except UnicodeDecodeError as error:
            raise InputDecodeError(f"{name}: not valid UTF-8 at byte {error.start} ({error.reason})") from error
    return inputs


def _extract(args: argparse.Namespace) -> int:
    from .pipeline import load
    from .render import to_conll, to_html, to_text

    inputs = read_inputs(args.files)
    extractor = load(args.model, precision=args.precision, consistency=not args.no_consistency, backend=args.backend)
    documents = extractor.extract_many([text for _, text in inputs], batch_size=args.batch_size,
                                       progress=len(inputs) > 1 and not args.quiet)
    documents = [type(d)(d.text, d.entities, d.relations, d.officials, name) for d, (name, _) in zip(documents, inputs)]
    out = sys.stdout
    if args.format == "json":
        payload = [d.to_dict() for d in documents]
        json.dump(payload[0] if len(payload) == 1 else payload, out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif args.format == "jsonl":
        out.writelines(d.to_json() + "\n" for d in documents)
    elif args.format == "conll":
        out.write("\n".join(f"# id = {d.id}\n{to_conll(d)}" for d in documents))
    elif args.format == "html":
        out.write(to_html(documents))
    else:
        out.write("\n".join(to_text(d) for d in documents))
    return 0


_CONSISTENCY_HELP = ("leave the tagger's entities as they are (default: a name tagged once in a document marks its "
                     "other mentions, see persnews.consistency)")


def _add_precision(command: argparse.ArgumentParser) -> None:
    """--fp32 / --bf16 / --int8; none of them: the model's own precision (persnews.precision)."""
    precision = command.add_mutually_exclusive_group()
    precision.add_argument("--fp32", action="store_const", dest="precision", const="float32",
                           help="compute in float32 (default: the model's own: int8 for the compact model, bfloat16 "
                                "for the pretrained one where the CPU has bfloat16 arithmetic, else float32)")
    precision.add_argument("--bf16", action="store_const", dest="precision", const="bfloat16",
                           help="bfloat16 autocast (fast only on CPUs with AVX512-BF16/AMX and on recent GPUs)")
    precision.add_argument("--int8", action="store_const", dest="precision", const="int8",
                           help="int8 dynamic quantisation of the linear layers (CPU)")
_BACKEND_HELP = 'what runs the network: torch (default) or onnx (ONNX Runtime; pip install "persnews[onnx]")'


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="persnews", description="Who holds which office in Persian news.")
    parser.add_argument("--version", action="version", version=f"persnews {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    extract = commands.add_parser("extract", help="tag people, roles, organisations and places; link officials")
    extract.add_argument("files", nargs="*", help="UTF-8 text files, one document each; '-' or none: stdin")
    extract.add_argument("--model", default=None, help="model folder or hub id (default: the shipped model)")
    extract.add_argument("--format", choices=["json", "jsonl", "conll", "html", "text"], default="json",
                         help="text: a readable summary of people, roles and institutions")
    extract.add_argument("--batch-size", type=int, default=32, help="encoder windows per forward pass")
    extract.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_precision(extract)
    extract.add_argument("--no-consistency", action="store_true", help=_CONSISTENCY_HELP)
    extract.add_argument("--backend", choices=["torch", "onnx"], default="torch", help=_BACKEND_HELP)
    extract.set_defaults(run=_extract)

    corpus = commands.add_parser("extract-corpus", help="extract from many documents into result shards "
                                 "(resumable; in this process or on a Ray cluster)")
    corpus.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="JSONL or Parquet with id and text, .txt files (one document each), or folders of them")
    corpus.add_argument("--output", required=True, help="folder of result shards; rerun to resume")
    corpus.add_argument("--engine", choices=["local", "ray"], default="local",
                        help="local: this process; ray: a Ray cluster (pip install 'persnews[ray]')")
    corpus.add_argument("--address", help="Ray cluster address (e.g. ray://head:10001 or auto); default: a local Ray")
    corpus.add_argument("--workers", type=int, default=1, help="Ray actors (local: CPU threads) (default 1)")
    corpus.add_argument("--cpus-per-worker", type=int, default=1, help="CPUs (torch threads) per worker")
    corpus.add_argument("--format", choices=["jsonl", "parquet"], default="jsonl", help="shard file format")
    corpus.add_argument("--model", default=None, help="model folder or hub id (default: the shipped model)")
    corpus.add_argument("--batch-size", type=int, default=64, help="documents per batch (default 64)")
    corpus.add_argument("--shard-size", type=int, default=1000, help="documents per output shard (default 1000)")
    corpus.add_argument("--max-chars", type=int, help="longer texts are reported as errors, not processed "
                        "(default 100,000; 0: no limit)")
    corpus.add_argument("--quiet", action="store_true", help="no progress bar")
    corpus.set_defaults(run=_extract_corpus)

    train = commands.add_parser("train", help="train a tagger (all options: persnews train --help)",
                                add_help=False)
    train.set_defaults(run=_train)

    relations = commands.add_parser("train-relations", add_help=False,
                                    help="train the relation scorer into a model folder (--data, --output_dir)")
    relations.set_defaults(run=_train_relations)

    evaluate = commands.add_parser("evaluate", help="score a model on data sources")
    evaluate.add_argument("model", help="model folder or hub id; 'default' for the shipped model")
    evaluate.add_argument("data", nargs="+", help="sources: peyma:test, arman:fold3, data/releases/v1:test, x.jsonl")
    evaluate.add_argument("--strip-zwnj", action="store_true", help="remove every ZWNJ from the text first")
    evaluate.add_argument("--report", help="also write the report as JSON to this file")
    evaluate.add_argument("--corpora", help="third-party corpora folder (default ../shared/corpora)")
    evaluate.add_argument("--batch-size", type=int, default=32)
    _add_precision(evaluate)
    evaluate.add_argument("--no-consistency", action="store_true", help=_CONSISTENCY_HELP)
    evaluate.add_argument("--per-document", action="store_true",
                          help="print, per document with an error, the triples and facts missed and invented "
                          "(always in the --report JSON)")
    evaluate.add_argument("--backend", choices=["torch", "onnx"], default="torch", help=_BACKEND_HELP)
    evaluate.add_argument("--convention", help="tag in this annotation convention of the model's (e.g. peyma), or "
                          "'source': each source in its own; default: this project's guidelines")
    evaluate.set_defaults(run=_evaluate)

    pretrain = commands.add_parser("pretrain", help="vocabulary, word vectors and MLM weights from raw text; "
                                                    "e5: import the pretrained multilingual-e5-small encoder")
    pretrain.add_argument("step", choices=["corpus", "vocab", "vectors", "mlm", "e5"])
    pretrain.add_argument("--corpora", help="third-party corpora folder (default ../shared/corpora)")
    pretrain.add_argument("--words", default="runs/words.txt", help="the normalised word corpus (step corpus writes it)")
    pretrain.add_argument("--output", required=True, help="output folder (or file, for step corpus)")
    pretrain.add_argument("--tokenizer", help="WordPiece folder (step mlm)")
    pretrain.add_argument("--minutes", type=float, default=60.0, help="time budget (step mlm)")
    pretrain.add_argument("--full-vocab", action="store_true",
                          help="step e5: keep all 250,002 pieces (else only those the corpora use)")
    pretrain.add_argument("--min-count", type=int, default=1,
                          help="step e5: keep a piece seen this often in the corpora (single characters always)")
    pretrain.set_defaults(run=_pretrain)

    distil = commands.add_parser("distil", help="distillation: a teacher labels unlabelled text for a student "
                                 "(then: persnews train ... --train ... silver:DIR:soft)")
    distil_steps = distil.add_subparsers(dest="step", required=True)
    label = distil_steps.add_parser("label", help="label news-raw and raw-extra with a teacher into resumable "
                                    "shards of silver sentences (tags and per-word marginals)")
    label.add_argument("--teacher", default="persnews-fa-base", help="teacher model: shipped name or folder "
                       "(default persnews-fa-base)")
    label.add_argument("--output", required=True, help="folder of silver shards (not committed: runs/...); rerun to "
                       "resume")
    label.add_argument("--words", type=int, default=8_000_000, help="whitespace words of raw text to label "
                       "(default 8,000,000)")
    label.add_argument("--shard-words", type=int, default=200_000, help="words per shard (default 200,000)")
    label.add_argument("--corpora", help="third-party corpora folder (default ../shared/corpora)")
    label.add_argument("--batch-size", type=int, default=32, help="encoder windows per forward pass")
    _add_precision(label)
    label.add_argument("--exclude", nargs="*", default=None, metavar="FILE",
                       help="raw-extra file names to leave out (default: reviews-informal.txt "
                            "religious-fa-translations.txt; give none to keep all)")
    label.add_argument("--quiet", action="store_true", help="no progress bar")
    label.set_defaults(run=_distil_label)

    serve = commands.add_parser("serve", help="HTTP API and web page over a loaded model (extra: persnews[serve])")
    serve.add_argument("--model", default=None, help="shipped model name, folder or hub id (default: the shipped one)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--max-chars", type=int, default=200_000, help="longest text accepted (longer: HTTP 413)")
    serve.add_argument("--max-texts", type=int, default=128, help="most texts in one request (more: HTTP 413)")
    serve.add_argument("--max-wait-ms", type=float, default=5.0,
                       help="how long a request waits for others to share its extract_many call")
    serve.add_argument("--batch-size", type=int, default=32, help="encoder windows per forward pass")
    _add_precision(serve)
    serve.add_argument("--no-access-log", action="store_true", help="do not log each request")
    serve.set_defaults(run=_serve)

    add_data_commands(commands)
    return parser


def _extract_corpus(args: argparse.Namespace) -> int:
    from .corpus import extract_corpus
    from .corpus.records import DEFAULT_MAX_CHARS

    max_chars = DEFAULT_MAX_CHARS if args.max_chars is None else args.max_chars or None
    summary = extract_corpus(args.inputs, args.output, engine=args.engine, model=args.model, workers=args.workers,
                             cpus_per_worker=args.cpus_per_worker, batch_size=args.batch_size, format=args.format,
                             shard_size=args.shard_size, max_chars=max_chars, address=args.address,
                             progress=not args.quiet)
    print(summary)
    return 0


def _train(args: argparse.Namespace) -> int:
    from .training import main as train_main

    train_main(args.options or ["--help"])
    return 0


def _train_relations(args: argparse.Namespace) -> int:
    from .relation_training import main as relations_main

    relations_main(args.options or ["--help"])
    return 0


def _distil_label(args: argparse.Namespace) -> int:
    from .distillation.labelling import DEFAULT_EXCLUDE, label_corpus

    print(label_corpus(args.teacher, args.output, words=args.words, shard_words=args.shard_words,
                       corpora=args.corpora, batch_size=args.batch_size, precision=args.precision,
                       exclude=DEFAULT_EXCLUDE if args.exclude is None else args.exclude, progress=not args.quiet))
    return 0


def _serve(args: argparse.Namespace) -> int:
    try:
        from .serving import serve
    except ImportError as error:
        raise PersnewsError(f"persnews serve needs its extra: pip install 'persnews[serve]' ({error})") from error
    serve(args.model, args.host, args.port, precision=args.precision, access_log=not args.no_access_log,
          max_chars=args.max_chars, max_texts=args.max_texts, max_wait=args.max_wait_ms / 1000,
          batch_size=args.batch_size)
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from .evaluation.report import evaluate, format_report

    model = None if args.model == "default" else args.model
    report = evaluate(model, args.data, corpora=args.corpora, zwnj_stripped=args.strip_zwnj,
                      batch_size=args.batch_size, precision=args.precision, convention=args.convention,
                      output=args.report, consistency=not args.no_consistency, backend=args.backend)
    print(format_report(report, per_document=args.per_document))
    return 0


def _pretrain(args: argparse.Namespace) -> int:
    from . import pretraining
    from .data.corpora import corpora_root

    output = Path(args.output)
    if args.step == "e5":
        from .encoder_import import import_e5, persian_texts

        texts = None if args.full_vocab else persian_texts(corpora_root(args.corpora))
        print(import_e5(output, texts, min_count=args.min_count))
    elif args.step == "corpus":
        print(f"{pretraining.write_word_corpus(corpora_root(args.corpora), output)} words")
    elif args.step == "vocab":
        print(f"vocabulary of {len(pretraining.train_wordpiece(Path(args.words), output))} written to {output}")
    elif args.step == "vectors":
        print(f"{pretraining.train_word_vectors(Path(args.words), output)} word vectors written to {output}")
    else:
        print(pretraining.pretrain_mlm(Path(args.words), Path(args.tokenizer), output, minutes=args.minutes))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if args.command in ("train", "train-relations"):  # their options belong to HfArgumentParser
        args.options = unknown
    elif unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        return args.run(args)
    except (PersnewsError, FileNotFoundError, IsADirectoryError) as error:
        print(f"persnews: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
