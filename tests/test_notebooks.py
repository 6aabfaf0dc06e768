"""The walkthroughs in notebooks/ run from top to bottom, and are committed with their outputs.

Refresh the committed outputs after changing a notebook or the library: ``python tests/test_notebooks.py``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
NEEDS_CORPORA = {"corpus_scale"}  # reads ../shared/corpora/news-raw


def execute(path: Path) -> nbformat.NotebookNode:
    """Run every cell in a fresh kernel, in the repository root, importing this checkout's persnews."""
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=1200, kernel_name="python3",
                                     resources={"metadata": {"path": str(REPO)}})
    client.execute(env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
                        "PYTHONWARNINGS": "ignore:IProgress not found"})  # tqdm without ipywidgets: text bars
    return notebook


def test_the_walkthroughs_are_all_here() -> None:
    assert {p.stem for p in NOTEBOOKS} >= {"quickstart", "retrain_new_release", "corpus_scale"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_and_is_committed_with_outputs(path: Path) -> None:
    if path.stem in NEEDS_CORPORA:
        from persnews.data.corpora import corpora_root
        from persnews.errors import CorpusMismatchError

        try:
            corpora_root()
        except CorpusMismatchError:
            pytest.skip("needs ../shared/corpora")
    committed = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    assert all(c.execution_count for c in committed) and all(c.outputs for c in committed[-2:]), \
        f"{path.name} is committed without its outputs: run python tests/test_notebooks.py"
    executed = execute(path)  # raises CellExecutionError, naming the cell, if any cell fails
    outputs = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]


if __name__ == "__main__":
    for notebook_path in NOTEBOOKS if len(sys.argv) < 2 else [Path(a) for a in sys.argv[1:]]:
        print("executing", notebook_path.name, flush=True)
        nbformat.write(execute(notebook_path), notebook_path)
