"""Running the workflow from tests: a fresh copy of it in a temp folder, and the Snakemake CLI."""

import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW_FILES = ["Snakefile", "rules", "scripts", "schemas", "report", "config.yaml", "configs", "envs", "profiles", "examples"]


def snakemake(cwd: Path, *args: str, timeout: int = 600, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run snakemake in cwd (with `env` added to the environment); on a timeout kill its whole
    process group and show where it stood."""
    proc = subprocess.Popen([sys.executable, "-m", "snakemake", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env={**os.environ, **(env or {})})
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        logs = "\n".join(f"== {log}\n{log.read_text()[-1500:]}" for log in sorted(cwd.glob("logs/**/*.log")))
        pytest.fail(f"snakemake {' '.join(args)} ran past {timeout} s\n{err[-3000:]}\n{logs}", pytrace=False)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def copy_workflow(dest: Path) -> Path:
    """A fresh copy of the workflow in dest (the library is installed), so results go there."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in WORKFLOW_FILES:
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, dest / name)
    return dest


def apt_install(*packages: str) -> subprocess.CompletedProcess:
    """apt-get install the packages; where that fails (a fresh container may have no package lists
    yet) update the lists and try once more. Returns the last attempt."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    cmd = ["apt-get", "install", "-y", "-q", *packages]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    if out.returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, timeout=900)
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    return out


# Debian packages of the SLURM and report tests. Installing them is network-bound: the first
# workflow test starts it on a thread, so it overlaps the tiny end-to-end run instead of adding to it.
# Each maps the programs the tests run to the package that has them.
SLURM_PACKAGES = {"slurmctld": "slurm-wlm", "slurmd": "slurm-wlm", "slurmdbd": "slurmdbd", "mariadbd": "mariadb-server",
                  "munged": "munge"}
SYSTEM_PACKAGES = {**SLURM_PACKAGES, "chromium": "chromium"}
_installing: list[threading.Thread] = []


def missing_packages(packages: dict[str, str]) -> list[str]:
    """The packages of the programs that are not on PATH."""
    return sorted({pkg for exe, pkg in packages.items() if shutil.which(exe) is None})


def install_in_background() -> None:
    """Start apt-get installing the missing SYSTEM_PACKAGES (as root only; once per session)."""
    missing = missing_packages(SYSTEM_PACKAGES)
    if missing and not _installing and shutil.which("apt-get") and os.geteuid() == 0:
        _installing.append(threading.Thread(target=apt_install, args=missing, daemon=True))
        _installing[0].start()


def wait_for_installs() -> None:
    """Wait for a background install, if one was started."""
    for thread in _installing:
        thread.join()
