"""The SLURM profile on a real one-node cluster (tests/slurm_cluster.py): the tiny config's TD3
branch (its training job and the four PURDs of its checkpoints) goes through sbatch, sacct lists
every job, and the outputs equal those of the local end-to-end run (the session's tiny_run)."""

import os
import shutil
import subprocess

import polars as pl
import pytest

from slurm_cluster import Cluster, install
from workflow_run import copy_workflow, snakemake

pytestmark = pytest.mark.xdist_group("workflow")  # beside the tiny run it compares against

CHECKPOINTS = [f"results/checkpoints/hopper/td3/seed{s}/step{t}.msgpack" for s in (0, 1) for t in (400, 600)]
PURDS = [c.replace("checkpoints/hopper/td3", "purd/hopper/td3/td3").replace(".msgpack", ".parquet")
         for c in CHECKPOINTS]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        pytest.skip("installing SLURM needs apt-get as root")
    install()
    c = Cluster(tmp_path_factory.mktemp("slurm"))
    try:
        yield c.start()
    finally:
        c.stop()


def test_profile_runs_jobs_through_slurm_with_local_outputs(tiny_run, cluster, tmp_path):
    remote = copy_workflow(tmp_path / "slurm")
    (remote / "no_gpu.yaml").write_text("resources:\n  gpu: 0\n")  # the test node has no GPU
    # The compiled programs of the local run, as a user re-running on a cluster would have them.
    if (tiny_run / ".jax_cache").is_dir():
        shutil.copytree(tiny_run / ".jax_cache", remote / ".jax_cache")
    result = snakemake(remote, *PURDS, "--profile", "profiles/slurm",
                       "--configfile", "configs/tiny.yaml", "no_gpu.yaml", timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]

    jobs = subprocess.run(["sacct", "-X", "-n", "-P", "-o", "JobID,Comment,AllocCPUS,Elapsed,State"],
                          capture_output=True, text=True, check=True).stdout.splitlines()
    print("sacct:", *jobs, sep="\n  ")
    assert sum("|COMPLETED" in j for j in jobs) == 1 + len(PURDS), jobs  # the training job and the PURDs
    for path in CHECKPOINTS:
        assert (remote / path).read_bytes() == (tiny_run / path).read_bytes(), path
    for path in PURDS:
        returns = [pl.read_parquet(w / path)["return"].to_list() for w in (tiny_run, remote)]
        assert returns[0] == returns[1], path
