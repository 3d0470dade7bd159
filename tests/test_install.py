"""The package installs: `pip install .` (not editable) into a clean venv gives every subpackage and
asset of workflow_lib, and a copy of the workflow without the library's sources plans `all`."""

import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What a user's workflow directory holds beside an installed library.
WORKFLOW_FILES = ("Snakefile", "config.yaml", "rules", "scripts", "schemas", "configs", "report", "envs", "profiles")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A clean venv with workflow_lib installed from a copy of the sources by pip. Its other
    dependencies come from this venv's site-packages through a path file: a path there is not a
    site directory, so the editable install of this checkout is not seen."""
    tmp = tmp_path_factory.mktemp("install")
    source = tmp / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".venv", ".git", "results", "logs", ".snakemake",
                                                                 "*.egg-info", "__pycache__", "build"))
    env = tmp / "venv"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    done = subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps",
                           str(source)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return python


def test_every_module_and_asset_is_installed(installed):
    code = (
        "import importlib, pkgutil, workflow_lib\n"
        "from workflow_lib.workflow import report_check\n"
        "assert 'site-packages' in workflow_lib.__file__, workflow_lib.__file__\n"
        "assert report_check.PROBE.is_file()\n"
        "names = [m.name for m in pkgutil.walk_packages(workflow_lib.__path__, 'workflow_lib.')]\n"
        "print(len(names))\n"
    )
    done = subprocess.run([str(installed), "-c", code], capture_output=True, text=True, cwd="/")
    assert done.returncode == 0, done.stderr[-2000:]
    sources = [p for p in (ROOT / "workflow_lib").rglob("*.py") if p.name != "__init__.py"]
    assert int(done.stdout) >= len(sources)


def test_an_installed_library_plans_the_workflow(installed, tmp_path):
    for name in WORKFLOW_FILES:
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
        copy(ROOT / name, tmp_path / name)
    assert not (tmp_path / "workflow_lib").exists()
    done = subprocess.run([str(installed), "-m", "snakemake", "-n", "all", "--cores", "1"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert "Job stats" in done.stdout + done.stderr
