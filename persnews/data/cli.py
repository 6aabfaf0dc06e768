"""The ``persnews data`` commands; each parses arguments, calls one library function and prints.

The project's ``persnews/cli.py`` calls :func:`add_data_commands` on its
sub-parsers; every command sets ``run``, which takes the parsed arguments and
returns the exit status. :func:`main` runs the commands on their own
(``python -m persnews.data.cli data validate PATH``).
"""

from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path
from typing import Any, Callable, Sequence

from ..errors import PersnewsError
from .annotation_tools import import_doccano, import_labelstudio, write_labelstudio
from .corpora import CORPORA, import_corpus
from .jsonl import ImportResult, write_documents
from .release import build_release, merge_release_dirs, read_any_documents, release_stats, stats_table
from .splits import DEV_FRACTION, SPLITS, TEST_FRACTION
from .validation import validate_paths

IMPORTERS: dict[str, Callable[[str], ImportResult]] = {
    **{name: partial(import_corpus, name) for name in CORPORA},
    "labelstudio": import_labelstudio,
    "doccano": import_doccano,
}


def _fraction(value: str) -> float:
    number = float(value)
    if not 0 <= number < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a fraction in [0, 1)")
    return number


def _stats(args: argparse.Namespace) -> int:
    print(release_stats(args.release))
    return 0


def _validate(args: argparse.Namespace) -> int:
    problems = validate_paths(args.paths)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s)" if problems else "ok", file=sys.stderr)
    return 1 if problems else 0


def _merge(args: argparse.Namespace) -> int:
    merged = merge_release_dirs(args.first, args.second, args.output)
    for note in merged.notes:
        print(note, file=sys.stderr)
    total = sum(len(merged.release.split(name)) for name in SPLITS)
    print(f"wrote {args.output}: {total} documents, {len(merged.notes)} note(s)")
    return 0


def _import(args: argparse.Namespace) -> int:
    result = IMPORTERS[args.kind](args.source)
    write_documents(args.output, result.documents)
    for reason in result.skipped:
        print(reason, file=sys.stderr)
    print(f"wrote {len(result.documents)} documents to {args.output}; skipped {len(result.skipped)} item(s)",
          file=sys.stderr)
    return 0


def _export_labelstudio(args: argparse.Namespace) -> int:
    count = write_labelstudio(args.output, read_any_documents(args.source))
    print(f"wrote {count} Label Studio tasks to {args.output}")
    return 0


def _build_release(args: argparse.Namespace) -> int:
    authored = args.authored if args.authored is not None else sorted(Path("data/authored").glob("*.txt"))
    print(stats_table(build_release(Path(args.releases_dir) / args.name, authored, args.layer,
                                    documents=args.documents, corpora=args.corpora, test=args.test, dev=args.dev)))
    return 0


def add_data_commands(subparsers: Any) -> None:
    """Register ``data stats|validate|merge|import|export-labelstudio|build-release`` on ``subparsers``."""
    data = subparsers.add_parser("data", help="annotated data: releases, validation, importers")
    commands = data.add_subparsers(dest="data_command", required=True)

    stats = commands.add_parser("stats", help="print a release's document and entity counts")
    stats.add_argument("release", help="release folder")
    stats.set_defaults(run=_stats)

    validate = commands.add_parser("validate", help="report every schema problem as file:line: reason")
    validate.add_argument("paths", nargs="+", help="JSONL files or release folders")
    validate.set_defaults(run=_validate)

    merge = commands.add_parser("merge", help="merge two releases, one document per text, splits disjoint")
    merge.add_argument("first", help="release folder A")
    merge.add_argument("second", help="release folder B")
    merge.add_argument("-o", "--output", required=True, help="release folder to write")
    merge.set_defaults(run=_merge)

    importer = commands.add_parser("import", help="convert a corpus or an annotation-tool export to JSONL")
    importer.add_argument("kind", choices=sorted(IMPORTERS))
    importer.add_argument("source", help="corpus folder or file, Label Studio JSON export, Doccano JSONL export")
    importer.add_argument("-o", "--output", required=True, help="JSONL file to write")
    importer.set_defaults(run=_import)

    export = commands.add_parser("export-labelstudio", help="write Label Studio tasks to correct a release")
    export.add_argument("source", help="release folder or JSONL file")
    export.add_argument("-o", "--output", required=True, help="JSON file of tasks")
    export.set_defaults(run=_export_labelstudio)

    build = commands.add_parser("build-release", help="build data/releases/NAME from authored markup and layers")
    build.add_argument("name", help="release name (folder under --releases-dir)")
    build.add_argument("--authored", nargs="*", help="markup files (default: data/authored/*.txt)")
    build.add_argument("--documents", nargs="*", default=[],
                       help="document JSONL files to include (e.g. a corrected Label Studio export, imported)")
    build.add_argument("--layer", nargs="*", default=[], help="stand-off layer files to include")
    build.add_argument("--releases-dir", default="data/releases", help="where releases live (default: %(default)s)")
    build.add_argument("--corpora", help="corpora folder for checking layers (default: $PERSNEWS_CORPORA or "
                                         "../shared/corpora)")
    build.add_argument("--test", type=_fraction, default=TEST_FRACTION, help="test fraction (default: %(default)s)")
    build.add_argument("--dev", type=_fraction, default=DEV_FRACTION, help="dev fraction (default: %(default)s)")
    build.set_defaults(run=_build_release)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``data`` command; a persnews error is printed and gives exit status 1."""
    parser = argparse.ArgumentParser(prog="persnews")
    add_data_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except PersnewsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
