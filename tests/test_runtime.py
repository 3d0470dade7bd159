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


def run_python(code: str, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, check=True)


# A job's setup with a stand-in for Snakemake's `snakemake` object.
SETUP = """
import sys, types, jax
from workflow_lib.workflow.runtime import cpu_key, setup_job
job = types.SimpleNamespace(log=[sys.argv[1]], threads=1, config={"compilation_cache": sys.argv[2]})
log = setup_job(job, "demo", claim=True)
log.info("hello")
assert jax.config.jax_compilation_cache_dir == sys.argv[2] + "/" + cpu_key()
print(cpu_key())
"""


def test_setup_job_logs_to_the_rule_log_and_keys_the_cache_by_cpu(tmp_path):
    out = run_python(SETUP, tmp_path / "job.log", tmp_path / "cache")
    key = out.stdout.strip()
    assert key.startswith(__import__("platform").machine() + "-jax")
    assert key == run_python(SETUP, tmp_path / "again.log", tmp_path / "cache").stdout.strip()  # stable
    assert (tmp_path / "job.log").read_text().endswith("hello\n")
    assert "cores [" in (tmp_path / "job.log").read_text()  # claim=True claimed cores first


def test_setup_job_takes_devices_or_claim_not_both(tmp_path):
    import types

    from workflow_lib.workflow.runtime import setup_job
    job = types.SimpleNamespace(log=[str(tmp_path / "x.log")], threads=1, config={})
    with pytest.raises(ValueError):
        setup_job(job, "both", devices=True, claim=True)


def test_brax_and_warp_noise_is_silenced_nothing_else():
    out = subprocess.run([sys.executable, "-c", """
import warnings
from workflow_lib.workflow import runtime
import mujoco.mjx
warnings.warn_explicit("Brax System, piplines and environments are not actively being maintained.",
                       UserWarning, "mjcf.py", 480, module="brax.io.mjcf")
warnings.warn_explicit("another brax warning", UserWarning, "mjcf.py", 481, module="brax.io.mjcf")
"""], capture_output=True, text=True, check=True)
    assert "warp" not in out.stdout + out.stderr
    assert "not actively" not in out.stderr
    assert "another brax warning" in out.stderr


def test_the_library_imports_brax_without_the_warp_lines():
    """Any import of the library, not only a job's: Brax's mujoco.mjx prints nothing."""
    code = "import workflow_lib.envs.native, workflow_lib.training.trainer, mujoco.mjx; print('imported')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "imported\n" and "warp" not in out.stderr


# XLA's cache-loader line for an LLVM tuning pseudo-feature is dropped; a real instruction-set
# mismatch, other lines and an unfinished last line pass, in order.
FILTERED = """
import os
from workflow_lib.core import quiet
quiet.filter_xla_cache_log()
head = "E1201 11:00:00.000000    1 cpu_aot_loader.cc:210] Loading XLA:CPU AOT result. Target machine feature "
for feature in ("+prefer-no-scatter", "+avx512f", "+prefer-no-gather"):
    os.write(2, (head + feature + " is not  supported on the host machine. ...\\n").encode())
os.write(2, b"other\\nlast")
"""


def test_only_the_pseudo_feature_lines_are_filtered():
    lines = run_python(FILTERED).stderr.split("\n")
    assert len(lines) == 3 and "+avx512f is not" in lines[0] and lines[1:] == ["other", "last"]
