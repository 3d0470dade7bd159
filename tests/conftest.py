"""Fixtures shared by the workflow tests: the tiny config's end-to-end run happens once per session."""

from pathlib import Path

import pytest

from workflow_run import copy_workflow, install_in_background, snakemake


@pytest.fixture(scope="session")
def workdir(tmp_path_factory) -> Path:
    install_in_background()  # SLURM and Chromium, for later tests of this worker
    return copy_workflow(tmp_path_factory.mktemp("workflow"))


@pytest.fixture(scope="session")
def tiny_run(workdir) -> Path:
    """The whole tiny workflow, run once; tests read its results and plan against it."""
    result = snakemake(workdir, "all", "--cores", "2", "--configfile", "configs/tiny.yaml")
    assert result.returncode == 0, result.stderr[-3000:]
    return workdir
