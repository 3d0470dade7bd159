"""Job set-up: concurrent jobs claim different cores and keep to their count."""

import os
import subprocess
import sys

import pytest

from workflow_lib.workflow.runtime import claim_cores

# A job that claims cores, reports them and holds its claim until its stdin closes.
JOB = """
import os, sys
from workflow_lib.workflow.runtime import claim_cores
print(claim_cores(int(sys.argv[1]), sys.argv[2]), sorted(os.sched_getaffinity(0)), flush=True)
sys.stdin.read()
"""

CORES = sorted(os.sched_getaffinity(0))


def start_job(count: int, lock_dir) -> tuple[subprocess.Popen, list[int]]:
    proc = subprocess.Popen([sys.executable, "-c", JOB, str(count), str(lock_dir)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    claimed, affinity = proc.stdout.readline().strip().split("] ")
    claimed = [int(c) for c in claimed.strip("[]").split(",")]
    assert claimed == [int(c) for c in affinity.strip("[]").split(",")]  # what it claims is what it runs on
    return proc, claimed


@pytest.mark.skipif(len(CORES) < 2, reason="needs 2 cores")
def test_concurrent_jobs_take_different_cores_then_share(tmp_path):
    jobs = [start_job(1, tmp_path) for _ in CORES]
    assert sorted(c for _, claimed in jobs for c in claimed) == CORES  # one core each, all different
    extra, claimed = start_job(1, tmp_path)  # more jobs than cores: shares, still on one core
    assert claimed == CORES[-1:]
    for proc, _ in jobs + [(extra, None)]:
        proc.communicate("")
    again, claimed = start_job(1, tmp_path)  # the ended jobs' claims are gone
    assert claimed == CORES[:1]
    again.communicate("")


def test_a_job_with_enough_cores_is_left_alone(tmp_path):
    assert claim_cores(len(CORES), tmp_path) == CORES
    assert sorted(os.sched_getaffinity(0)) == CORES
    assert not list(tmp_path.iterdir())  # nothing claimed
