#!/usr/bin/env python3
"""One entry point on a fresh machine with Python >= 3.11: sets up .venv, then runs.

  python3 do.py run [snakemake args...]   the main job (default config, all targets)
  python3 do.py test [pytest args...]     the test suite
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed"


def requirements_hash() -> str:
    text = b"".join((ROOT / f).read_bytes() for f in ("pyproject.toml", "constraints.txt"))
    return hashlib.sha256(text).hexdigest()


def wanted_extras(command: str, args: list[str]) -> set[str]:
    """The optional dependencies a command needs: the tests everything; a run the `host` extra
    (DM Control, Gymnasium) where its config files or --config values name a dmc-/gym- env, the
    `atari` extra (ale-py) where they name an atari- game."""
    if command == "test":
        return {"test", "host", "atari"}
    texts, files = list(args), [ROOT / "config.yaml"]
    for i, arg in enumerate(args):
        if arg in ("--configfile", "--configfiles"):
            files += [Path(a) for a in args[i + 1:] if not a.startswith("-")]
    texts += [f.read_text(errors="replace") for f in files if f.is_file()]
    wanted = {"host": r"\b(dmc|gym)-\w", "atari": r"\batari-\w"}
    return {"test"} | {extra for extra, pattern in wanted.items() if any(re.search(pattern, t) for t in texts)}


def installed() -> tuple[str, set[str]]:
    """(requirements hash, extras) of the last install, from the stamp."""
    if not STAMP.exists():
        return "", set()
    digest, _, extras = STAMP.read_text().partition(" ")
    return digest, set(filter(None, extras.split(",")))


def ensure_venv(extras: set[str]) -> None:
    """Create .venv and install the pinned project with `extras` (again only when the pins
    change or an extra is missing)."""
    if sys.version_info < (3, 11):
        sys.exit(f"Python >= 3.11 is needed, this is {sys.version.split()[0]}")
    digest, have = installed()
    if digest == requirements_hash() and extras <= have:
        install_config_file_hook()
        return
    extras = extras | (have if digest == requirements_hash() else set())
    if not (BIN / "python").exists():
        print(f"creating {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    print(f"installing pinned dependencies with {', '.join(sorted(extras))} (first run only)", flush=True)
    subprocess.run(pip + ["-c", str(ROOT / "constraints.txt"), "-e", f"{ROOT}[{','.join(sorted(extras))}]"],
                   check=True)
    install_config_file_hook()
    STAMP.write_text(f"{requirements_hash()} {','.join(sorted(extras))}")


def install_config_file_hook() -> None:
    """The .pth line with which Snakemake reads --configfile files through the project's checks
    (workflow_lib/workflow/snakemake_hook.py says why)."""
    sys.path.insert(0, str(ROOT))
    from workflow_lib.workflow.snakemake_hook import PTH_LINE, PTH_NAME

    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    purelib = subprocess.run([str(BIN / "python"), "-c", code], capture_output=True, text=True, check=True).stdout
    pth = Path(purelib.strip()) / PTH_NAME
    if not pth.exists() or pth.read_text() != PTH_LINE:
        pth.write_text(PTH_LINE)


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in ("run", "test"):
        print(__doc__)
        return 2
    ensure_venv(wanted_extras(sys.argv[1], sys.argv[2:]))
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    if sys.argv[1] == "run":
        args = sys.argv[2:] or ["all"]
        cmd = [str(BIN / "snakemake"), "--cores", str(os.cpu_count() or 1), *args]
    else:
        cmd = [str(BIN / "python"), "-m", "pytest", *sys.argv[2:]]
    return subprocess.run(cmd, cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
