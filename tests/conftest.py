"""Fixtures shared by the workflow tests: the tiny config's end-to-end run happens once per session.

The unit tests share JAX's persistent compilation cache (both xdist workers and the subprocesses
they start; workflow jobs set their own): many tests compile the same programs for fresh agents,
whose optimizer closures make jit trace again, and loading a compiled program runs the same machine
code. On a 2-core machine it cut the unit tests' CPU time from 9.0 to 6.9 minutes.
"""

import os
import tempfile
from pathlib import Path

import pytest

from slurm_cluster import start_branch_run
from workflow_run import copy_workflow, install_in_background, snakemake

# Read when JAX is first imported, by the test modules after this file (none of the above imports it).
os.environ.setdefault("JAX_COMPILATION_CACHE_DIR",
                      str(Path(tempfile.gettempdir()) / f"return-landscapes-tests-jax-cache-{os.getuid()}"))
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0.5")


@pytest.fixture(scope="session")
def workdir(tmp_path_factory) -> Path:
    install_in_background()  # SLURM and Chromium, for later tests of this worker
    return copy_workflow(tmp_path_factory.mktemp("workflow"))


@pytest.fixture(scope="session")
def tiny_run(workdir, request, tmp_path_factory) -> Path:
    """The whole tiny workflow, run once; tests read its results and plan against it. When the
    SLURM test is selected, its cluster run starts in the background right after (test_slurm.py)."""
    # 12.5 minutes alone on 2 cores (2026-12-07); beside the unit tests' worker, which runs workflows
    # of its own, 20-25 minutes, and past 30 with more load on the machine. The suite is CPU-bound, so
    # the limit is no speed test: it only turns a hang into a failure that shows the logs, well
    # inside CI's 90 minutes.
    result = snakemake(workdir, "all", "--cores", "2", "--configfile", "configs/tiny.yaml", timeout=2700)
    assert result.returncode == 0, result.stderr[-3000:]
    if any(_is_slurm_test(item) for item in request.session.items):
        start_branch_run(workdir, tmp_path_factory.mktemp("slurm"))
    return workdir


def _is_slurm_test(item) -> bool:
    return Path(str(item.fspath)).name == "test_slurm.py"


def pytest_collection_modifyitems(items):
    """The SLURM test last, so that its background cluster run overlaps the other workflow tests
    (a stable sort: every other test keeps its place)."""
    items.sort(key=_is_slurm_test)
