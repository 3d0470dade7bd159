"""Third-party console noise that says nothing about a run, silenced by its exact source so that a
job's console shows Snakemake's progress and the project's own lines. Everything else still shows."""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.util
import io
import os
import subprocess
import sys
import warnings

_DONE = False
_FILTERING = False
_FILTER_PROCESS = None  # kept referenced: it runs as long as this process

# What XLA:CPU's cache loader (xla/service/cpu/cpu_aot_loader.cc) logs, as an error, for every
# program it loads from the persistent cache on a host with AVX-512, the very host that compiled
# it included. XLA's IrCompiler adds the LLVM tuning pseudo-features +prefer-no-scatter and
# +prefer-no-gather to the compile features whenever the host has an +avx512* feature ("Scatter
# & gather can result in very poor performance"); the loader then checks each compile feature
# against llvm::sys::getHostCPUFeatures(), which lists only the instruction sets the CPU reports
# and never these two, so they always "mismatch". They name a cost model, not an instruction: no
# program can fail for them. A real mismatch (a feature such as +avx512f missing on the host) is
# logged with that feature's name and still shows.
_PSEUDO_FEATURE_LINE = (rb"cpu_aot_loader\.cc:\d+\] Loading XLA:CPU AOT result\. "
                        rb"Target machine feature \+prefer-no-(?:scatter|gather) is not")

# The filter: a separate process that copies its stdin to the job's real stderr line by line,
# leaving out the lines above. A process, not a thread, so that it outlives a crash of the job
# and passes on the job's last lines; it ignores SIGINT and SIGTERM and ends when the job's side
# of the pipe closes (at the job's end, however it ends).
_FILTER = r"""
import os, re, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
drop, out, rest = re.compile(sys.argv[1].encode()), int(sys.argv[2]), b""
def write(data):
    while data:
        data = data[os.write(out, data):]
while chunk := os.read(0, 65536):
    *lines, rest = (rest + chunk).split(b"\n")
    write(b"".join(line + b"\n" for line in lines if not drop.search(line)))
if not drop.search(rest):
    write(rest)
"""


_WARP_LINES = ("Failed to import warp:", "Failed to import mujoco_warp:")


class _QuietMjxImport(importlib.abc.MetaPathFinder):
    """mujoco.mjx tries the optional NVIDIA Warp backend at import and print()s "Failed to import
    warp: ..." and "Failed to import mujoco_warp: ..." to stdout when it is absent (wherever the
    host extra's mujoco is installed); Brax's JAX physics never uses it. A print cannot be
    filtered, so mujoco.mjx runs its import with stdout captured, whoever imports it first, and
    any other output is passed on."""

    def find_spec(self, name, path, target=None):
        if name != "mujoco.mjx":
            return None
        sys.meta_path.remove(self)  # the real spec, found by the other finders; once
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        run = spec.loader.exec_module

        def exec_module(module):
            captured = io.StringIO()
            with contextlib.redirect_stdout(captured):
                run(module)
            kept = [line for line in captured.getvalue().splitlines() if not line.startswith(_WARP_LINES)]
            if kept:
                print("\n".join(kept))

        spec.loader.exec_module = exec_module
        return spec


def quiet_mjx_import() -> None:
    """Install the quiet import of mujoco.mjx (before its first import; no import happens here)."""
    if "mujoco.mjx" not in sys.modules and not any(isinstance(f, _QuietMjxImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _QuietMjxImport())


def silence() -> None:
    """Silence the known noise; idempotent. Call before brax or mujoco is imported."""
    global _DONE
    if _DONE:
        return
    _DONE = True
    # brax.io.mjcf warns on every env load that Brax is no longer maintained (a UserWarning, once
    # per load): the project pins its version and knows; nothing a user of a run can act on.
    warnings.filterwarnings("ignore", message=r"Brax System, piplines and environments are not actively",
                            category=UserWarning, module=r"brax\.")
    # mujoco.mjx's warp lines: silenced by the import hook workflow_lib/__init__ installs first.


def filter_xla_cache_log() -> None:
    """Leave out of this process's stderr (file descriptor 2, where XLA's C++ logging writes) the
    cache loader's pseudo-feature lines, and only those; idempotent. For job processes that load
    from the persistent compilation cache; every other line passes, in order."""
    global _FILTERING, _FILTER_PROCESS
    if _FILTERING:
        return
    sys.stderr.flush()
    real = os.dup(2)
    try:
        _FILTER_PROCESS = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _FILTER, _PSEUDO_FEATURE_LINE.decode(), str(real)],
            stdin=subprocess.PIPE, pass_fds=(real,))
    except OSError:  # no filter: the lines show, nothing else changes
        os.close(real)
        return
    os.dup2(_FILTER_PROCESS.stdin.fileno(), 2)
    _FILTER_PROCESS.stdin.close()  # fd 2 is now the pipe's only write end here
    os.close(real)
    _FILTERING = True
