"""What every Snakemake job script sets up first: its log file, JAX's compilation cache and, for
sampling, the CPU cores as devices."""

from __future__ import annotations

import logging
import os

import jax


def job_logger(name: str, path: str) -> logging.Logger:
    """A logger writing timestamped lines to the rule's log file (progress of long jobs)."""
    log = logging.getLogger(name)
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
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
