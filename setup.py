"""The one build step pyproject.toml cannot declare: the top-level `resources/` folder travels
inside the wheel as `app/resources/shipped/`, where app/resources/__init__.py looks first.
An editable install reads the folder in the checkout instead, so it is not copied then."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildPyWithResources(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "app" / "resources" / "shipped"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(ROOT / "resources", target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildPyWithResources})
