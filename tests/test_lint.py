"""The workflow passes Snakemake's linter and snakefmt (both run in CI through this suite)."""

import subprocess
import sys
from pathlib import Path

from workflow_run import ROOT

BIN = Path(sys.executable).parent


def run(*cmd):
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_snakemake_lint_reports_nothing():
    out = run(str(BIN / "snakemake"), "--lint")
    assert out.returncode == 0 and "Congratulations" in out.stdout + out.stderr, out.stdout + out.stderr


def test_snakefmt_check_passes():
    out = run(str(BIN / "snakefmt"), "--check", "Snakefile", "rules")
    assert out.returncode == 0, out.stdout + out.stderr
