"""The SLURM profile on a real one-node cluster (tests/slurm_cluster.py): the tiny config's TD3
branch (its training job and the four PURDs of its checkpoints) goes through sbatch, sacct lists
every job, and the outputs equal those of the local end-to-end run (the session's tiny_run).

The cluster run starts in the background as soon as the tiny run ends (conftest.tiny_run), so it
overlaps the other workflow tests on the core the unit tests have left; this test, which runs last
(conftest.pytest_collection_modifyitems), waits for it and checks what it did."""

import polars as pl
import pytest

from slurm_cluster import CHECKPOINTS, PURDS, branch_runs

pytestmark = pytest.mark.xdist_group("workflow")  # beside the tiny run it compares against


def test_profile_runs_jobs_through_slurm_with_local_outputs(tiny_run):
    run = branch_runs.get(tiny_run)
    if run is None:
        pytest.skip("installing SLURM needs apt-get as root")
    run.join(timeout=1200)
    if run.error is not None:
        raise run.error
    remote, result, jobs = run.remote, run.result, run.jobs
    assert result.returncode == 0, result.stderr[-3000:]
    print("sacct:", *jobs, sep="\n  ")
    assert sum("|COMPLETED" in j for j in jobs) == 1 + 2, jobs  # the training job and a PURD job per seed
    for path in CHECKPOINTS:
        assert (remote / path).read_bytes() == (tiny_run / path).read_bytes(), path
    for path in PURDS:
        returns = [pl.read_parquet(w / path)["return"].to_list() for w in (tiny_run, remote)]
        assert returns[0] == returns[1], path
