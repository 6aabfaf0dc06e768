"""Packs the shipped models into the wheel as package data (``persnews/models/<name>/``).

``models/`` at the repository root stays their one copy in git; a clone or an
editable install reads them there, an installed wheel from the package (see
``persnews.tagging.shipped_models``). Everything else is in setup.cfg.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

MODELS = Path(__file__).resolve().parent / "models"
SHIPPED_MODEL_GLOB = "persnews-fa-*"  # persnews.tagging.SHIPPED_MODEL_GLOB (not imported: setup must not need torch)


class BuildWithModels(build_py):
    """build_py, plus a copy of each shipped model folder into the built package (not for editable installs)."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        for folder in sorted(MODELS.glob(SHIPPED_MODEL_GLOB)):
            if (folder / "config.json").is_file():
                target = Path(self.build_lib) / "persnews" / "models" / folder.name
                shutil.rmtree(target, ignore_errors=True)
                shutil.copytree(folder, target)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        models = Path(self.build_lib) / "persnews" / "models"
        extra = [str(p) for p in models.rglob("*") if p.is_file()] if models.is_dir() else []
        return super().get_outputs(include_bytecode) + extra


setup(cmdclass={"build_py": BuildWithModels})
