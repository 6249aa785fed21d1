"""The one build step pyproject.toml cannot declare: the top-level `resources/` folder travels
inside the wheel as `app/resources/shipped/`, where app/resources/__init__.py looks first.
An editable install reads the folder in the checkout instead, so it is not copied then."""

import importlib.util
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
        # The list `--self-test` checks the installed copy against, made from the source folder.
        _manifest().write(ROOT / "resources", target / "MANIFEST.json")


def _manifest():
    """app/resources/manifest.py, loaded by file: importing the app package needs its dependencies."""
    spec = importlib.util.spec_from_file_location("confide_manifest", ROOT / "app" / "resources" / "manifest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


setup(cmdclass={"build_py": BuildPyWithResources})
