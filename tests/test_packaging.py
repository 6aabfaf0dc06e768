"""The built wheel carries the shipped models and, installed in a fresh virtual environment, runs them offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from persnews.tagging import SHIPPED_MODEL_ROOTS, shipped_models

REPO = Path(__file__).resolve().parent.parent
SENTENCE = "علی رضایی، شهردار تهران گفت: طرح نوسازی ناوگان اجرا می‌شود."


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``pip wheel . --no-deps`` (without build isolation: the test runs offline with the installed setuptools)."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(out)], check=True, cwd=out)
    (built,) = out.glob("persnews-*.whl")
    return built


def test_wheel_carries_every_shipped_model_whole(wheel: Path) -> None:
    repo_models = {name: folder for name, folder in shipped_models().items()
                   if folder.parent == SHIPPED_MODEL_ROOTS[-1]}
    assert "persnews-fa-small" in repo_models
    with zipfile.ZipFile(wheel) as archive:
        sizes = {info.filename: info.file_size for info in archive.infolist()}
    for name, folder in repo_models.items():
        for file in (p for p in folder.rglob("*") if p.is_file()):
            packed = f"persnews/models/{name}/{file.relative_to(folder).as_posix()}"
            assert sizes.get(packed) == file.stat().st_size, packed
    assert "persnews/__init__.py" in sizes and "persnews/serving/__init__.py" in sizes
    assert not [n for n in sizes if n.startswith(("tests/", "models/", "data/", "bench/", "notebooks/"))]
    entry_points = next(n for n in sizes if n.endswith(".dist-info/entry_points.txt"))
    with zipfile.ZipFile(wheel) as archive:
        assert "persnews = persnews.cli:main" in archive.read(entry_points).decode()


def test_wheel_installed_in_a_fresh_venv_runs_the_default_model_offline(wheel: Path, tmp_path: Path) -> None:
    """Dependencies come from this interpreter (--system-site-packages); persnews itself only from the wheel."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    subprocess.run([venv / "bin" / "python", "-m", "pip", "install", "--no-deps", "-q", str(wheel)], check=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": ""}
    script = ("import json, persnews; from persnews.tagging import shipped_models; "
              f"d = persnews.extract({SENTENCE!r}); m = persnews.load('persnews-fa-small'); "
              "print(json.dumps({'file': persnews.__file__, 'models': {k: str(v) for k, v in shipped_models().items()},"
              " 'entities': [e.text for e in d.entities], 'many': len(persnews.extract_many(['x', 'y'], model=m))}))")
    found = json.loads(subprocess.run([venv / "bin" / "python", "-c", script], cwd=elsewhere, env=env, check=True,
                                      capture_output=True, text=True).stdout)
    site = venv.resolve()
    assert Path(found["file"]).resolve().is_relative_to(site)
    assert Path(found["models"]["persnews-fa-small"]).resolve().is_relative_to(site)
    assert found["entities"] == ["علی رضایی", "شهردار", "تهران"] and found["many"] == 2
    cli = subprocess.run([venv / "bin" / "persnews", "extract", "--format", "json", "-"], input=SENTENCE,
                         cwd=elsewhere, env=env, check=True, capture_output=True, text=True)
    assert json.loads(cli.stdout)["officials"][0]["name"] == "علی رضایی"
