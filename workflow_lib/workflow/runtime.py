"""What every Snakemake job script sets up first, in one call (setup_job): its log file, a console
without third-party noise, its share of the CPU cores or, for sampling, those cores as devices,
and JAX's compilation cache, keyed by the host's CPU."""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import platform
import sys
import tempfile
from pathlib import Path

import jax
import jaxlib

from workflow_lib.core import quiet
from workflow_lib.core.errors import BadInput

# Before the script's other library imports: they load brax and mujoco, whose import prints.
quiet.silence()

# Open lock files of the cores this process claimed: a claim lasts as long as the process.
_CLAIMS: list = []


def setup_job(snakemake, name: str, *, devices: bool = False, claim: bool = False) -> logging.Logger:
    """Everything a job script sets up first, in order; returns the logger of the rule's log file.

    Logger, silenced third-party noise (workflow_lib/core/quiet.py), then with `claim` this job's
    share of the cores (before JAX starts: XLA sizes its thread pools by them), the compilation
    cache, and with `devices` the job's cores as JAX devices (before the first computation).
    The cache folder is read from snakemake.config["compilation_cache"], not from a rule param:
    it is infrastructure that changes no result, and an edited param reruns the rule's jobs."""
    if devices and claim:
        raise ValueError("a job either claims cores (one device) or exposes its cores as devices")
    log = job_logger(name, snakemake.log[0])
    one_line_errors(log)
    quiet.silence()
    if claim:
        log.info("cores %s", claim_cores(snakemake.threads))
    compilation_cache(snakemake.config.get("compilation_cache"))
    if devices:
        host_devices(snakemake.threads)
    return log


def one_line_errors(log: logging.Logger) -> None:
    """A BadInput that ends the job is reported as its one line, to the console and the log; any
    other exception keeps its traceback (it is a bug, and the traceback is how to find it)."""
    previous = sys.excepthook

    def report(kind, value, traceback):
        if isinstance(value, BadInput):
            log.error("error: %s", value)
            print(f"error: {value}", file=sys.stderr, flush=True)
            return
        previous(kind, value, traceback)

    sys.excepthook = report


def job_logger(name: str, path: str) -> logging.Logger:
    """A logger writing timestamped lines to the rule's log file (progress of long jobs)."""
    log = logging.getLogger(name)
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False  # the rule's log file only: absl may give the root logger a console handler
    return log


def compilation_cache(directory: str | os.PathLike | None) -> Path | None:
    """Share compiled programs between jobs: the jobs of one rule compile the same programs
    (same shapes, other checkpoints), which costs more than their work at small scales.
    Loading a cached executable runs the same machine code, so results are unchanged.

    The programs go to a subfolder of `directory` named by this host's CPU (cpu_key): on a
    cluster whose nodes differ in CPU and share the folder, a node never loads machine code
    compiled for instructions it lacks (XLA:CPU would only log an error, then run it: SIGILL).
    jax 0.8's own cache key already hashes the CPU's features (the serialized CPU topology, in
    jax._src.cache_key), with a fallback that hashes only the device kind "cpu"; the subfolder
    keeps the guarantee ours and shows it on disk. Returns the folder used."""
    if not directory:
        return None
    folder = Path(directory) / cpu_key()
    jax.config.update("jax_compilation_cache_dir", str(folder))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 1.0)
    quiet.filter_xla_cache_log()
    return folder


def cpu_key() -> str:
    """This host's CPU as a folder name: the architecture, the jax version and a short hash of
    the CPU's instruction-set flags (/proc/cpuinfo: `flags` on x86, `Features` on ARM) and of
    jax's and jaxlib's versions. Hosts whose CPUs have the same flags run each other's programs."""
    flags = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                name, _, value = line.partition(":")
                if name.strip() in ("flags", "Features"):
                    flags = " ".join(sorted(value.split()))
                    break
    except OSError:  # no /proc (macOS): the processor's name is all there is
        flags = platform.processor()
    text = "\n".join([platform.machine(), flags, jax.__version__, jaxlib.__version__])
    return f"{platform.machine()}-jax{jax.__version__}-{hashlib.sha256(text.encode()).hexdigest()[:12]}"


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


def snapshot_every_s(snakemake) -> float:
    """Wall seconds between a training job's resume snapshots (config train.snapshot_every_s).
    Like the compilation cache, an infrastructure setting read here and no rule param: how often
    a job snapshots changes no result, so an edit must rerun nothing."""
    return float(snakemake.config["train"]["snapshot_every_s"])
