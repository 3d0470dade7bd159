"""What every Snakemake job script sets up first: its log file, JAX's compilation cache, its
share of the CPU cores and, for sampling, those cores as devices."""

from __future__ import annotations

import fcntl
import logging
import os
import tempfile
from pathlib import Path

import jax

# Open lock files of the cores this process claimed: a claim lasts as long as the process.
_CLAIMS: list = []


def job_logger(name: str, path: str) -> logging.Logger:
    """A logger writing timestamped lines to the rule's log file (progress of long jobs)."""
    log = logging.getLogger(name)
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False  # the rule's log file only: absl may give the root logger a console handler
    return log


def compilation_cache(directory: str | None) -> None:
    """Share compiled programs between jobs: the jobs of one rule compile the same programs
    (same shapes, other checkpoints), which costs more than their work at small scales.
    Loading a cached executable runs the same machine code, so results are unchanged."""
    if directory:
        jax.config.update("jax_compilation_cache_dir", directory)
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 1.0)


def host_devices(count: int | None = None) -> None:
    """Expose the CPU cores as `count` JAX devices (default: the cores this process may use),
    so that programs sharded over jax.local_devices() run on all cores. Only for programs of
    independent work (PURD chunks); call before the first computation. No effect on a GPU."""
    count = count or len(os.sched_getaffinity(0))
    jax.config.update("jax_num_cpu_devices", count)


def claim_cores(count: int, lock_dir: str | os.PathLike | None = None) -> list[int]:
    """Restrict this process to `count` of the cores it may use, each claimed with a lock file so
    that concurrent jobs on one machine take different cores; call before JAX's first computation.

    XLA sizes its CPU thread pools by the process's cores. Unrestricted, every job of a workflow
    spreads its small matmuls over all cores and the jobs contend: on this 2-core machine two
    single-core SAC jobs did 265 seed-updates/s together against 185-225 for one job on both
    cores, and two single-core PPO jobs 115k env-steps/s against 65k. Where the process already
    has no more than `count` cores (a SLURM allocation, a taskset), nothing changes. With more
    jobs than cores, a job that finds every core claimed shares the last ones: it still runs on
    `count` cores, so its thread count, and with it its numbers, stay the same. The locks are
    flock()s: the kernel releases them when the process ends, however it ends.
    """
    allowed = sorted(os.sched_getaffinity(0))
    if count >= len(allowed):
        return allowed
    folder = Path(lock_dir or Path(tempfile.gettempdir()) / f"return-landscapes-cores-{os.getuid()}")
    folder.mkdir(parents=True, exist_ok=True)
    claimed = []
    for core in allowed:
        handle = open(folder / f"cpu{core}.lock", "a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        _CLAIMS.append(handle)
        claimed.append(core)
        if len(claimed) == count:
            break
    shared = [c for c in reversed(allowed) if c not in claimed]
    cores = sorted(claimed + shared[: count - len(claimed)])
    os.sched_setaffinity(0, cores)
    return cores
