"""The SLURM profile on a real one-node cluster (tests/slurm_cluster.py): the tiny config's first
training job and one PURD go through sbatch, sacct lists them, and the outputs equal a local run's."""

import os
import shutil
import subprocess

import polars as pl
import pytest

from slurm_cluster import Cluster, install
from test_workflow import copy_workflow, snakemake

TARGETS = ["results/checkpoints/hopper/td3/seed0/step600.msgpack", "results/purd/hopper/td3/td3/seed0/step600.parquet"]
NO_GPU = "resources:\n  gpu: 0\n"  # the test node has none


def workflow_copy(dest):
    copy_workflow(dest)
    (dest / "no_gpu.yaml").write_text(NO_GPU)
    return dest


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


# About 3-4 min on 2 cores (two runs of two jobs, plus the packages and daemons): with the rest of the
# suite that is past CI's 15 minutes, so it runs on demand: python3 do.py test -m slow tests/test_slurm.py
@pytest.mark.slow
def test_profile_runs_jobs_through_slurm_with_local_outputs(cluster, tmp_path):
    config = ["--configfile", "configs/tiny.yaml", "no_gpu.yaml"]
    local = workflow_copy(tmp_path / "local")
    result = snakemake(local, *TARGETS, "--cores", "2", *config)
    assert result.returncode == 0, result.stderr[-3000:]

    remote = workflow_copy(tmp_path / "slurm")
    result = snakemake(remote, *TARGETS, "--profile", "profiles/slurm", *config, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]

    jobs = subprocess.run(["sacct", "-X", "-n", "-P", "-o", "JobID,JobName,State,Comment"], capture_output=True,
                          text=True, check=True).stdout.splitlines()
    completed = [j for j in jobs if "|COMPLETED|" in j]
    print("\n".join(jobs))
    assert len(completed) >= 2, jobs  # the training job and the PURD job ran as SLURM jobs
    for target in TARGETS[:1]:
        assert (remote / target).read_bytes() == (local / target).read_bytes(), target
    purd = [pl.read_parquet(w / TARGETS[1]) for w in (local, remote)]
    assert purd[0]["return"].to_list() == purd[1]["return"].to_list()
