"""Dry-run planning time of the paper config at several seed counts: jobs, seconds, seconds per job.

    .venv/bin/python benchmarks/planning.py                          # this tree, 20/80/320 seeds
    .venv/bin/python benchmarks/planning.py --before /tmp/base       # and an older checkout, for a table

Each run is `snakemake -n all --configfile configs/paper.yaml <seeds.yaml>` in a scratch copy of a
tree's workflow files (so no run touches the tree's .snakemake/), with PYTHONPATH at the tree so
that it imports that tree's workflow_lib. The seeds come from a config file: `--config seeds=[...]`
would give Snakemake strings. Wall and CPU seconds are the child's own (os.wait4); the CPU time is
the steadier figure on a shared machine. Every snakemake call pays a fixed start (imports, plugins;
where SLURM's client tools are installed but no controller answers, 10 s more: the executor
plugin's `scontrol show config`): the script measures it on an empty workflow and prints it, and
the ms/job columns are computed without it.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW_FILES = ("Snakefile", "rules", "scripts", "schemas", "report", "config.yaml", "configs", "envs", "profiles")


def run(cmd: list[str], cwd: Path, pythonpath: Path | None, timeout: float) -> dict:
    """Run cmd; its wall and CPU seconds, peak memory, return code and output."""
    env = {**os.environ, "PYTHONPATH": str(pythonpath)} if pythonpath else dict(os.environ)
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024,
            "rc": proc.returncode, "timed_out": wall > timeout, "out": text}


def workflow_copy(tree: Path, into: Path) -> Path:
    into.mkdir(parents=True)
    for name in WORKFLOW_FILES:
        src = tree / name
        if src.is_dir():
            shutil.copytree(src, into / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            shutil.copy2(src, into / name)
    return into


def startup(scratch: Path, timeout: float) -> dict:
    """The fixed cost of a snakemake call: a dry run of a one-rule workflow."""
    empty = scratch / "empty"
    empty.mkdir()
    (empty / "Snakefile").write_text('rule all:\n    output:\n        "x"\n    shell:\n        "touch {output}"\n')
    return run([sys.executable, "-m", "snakemake", "-n", "all"], empty, None, timeout)


def plan(workdir: Path, tree: Path, seeds: int, timeout: float) -> dict:
    seeds_file = workdir / f"seeds{seeds}.yaml"
    seeds_file.write_text(f"seeds: {list(range(seeds))}\n")
    cmd = [sys.executable, "-m", "snakemake", "-n", "all", "--configfile", "configs/paper.yaml", str(seeds_file)]
    result = run(cmd, workdir, tree, timeout)
    totals = re.findall(r"^total\s+(\d+)\s*$", result["out"], re.MULTILINE)
    result["jobs"] = int(totals[-1]) if totals else None
    shutil.rmtree(workdir / ".snakemake", ignore_errors=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[20, 80, 320])
    parser.add_argument("--before", type=Path, help="an older checkout to measure too (e.g. /tmp/base)")
    parser.add_argument("--after", type=Path, default=ROOT, help="the tree to measure (default: this one)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per dry run before giving up")
    args = parser.parse_args()
    trees = {"before": args.before, "after": args.after} if args.before else {"after": args.after}
    slurm = shutil.which("scontrol")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; "
          f"SLURM client tools: {slurm or 'none'}")
    with tempfile.TemporaryDirectory(prefix="planning-") as tmp:
        scratch = Path(tmp)
        fixed = startup(scratch, args.timeout)
        waits = slurm and fixed["wall"] - fixed["cpu"] > 8  # scontrol's 10 s timeout: wall time, no CPU
        print(f"fixed start of a snakemake call (empty workflow, dry run): {fixed['wall']:.1f} s wall, "
              f"{fixed['cpu']:.1f} s CPU" + ("; it includes SLURM's 10 s wait (no controller answers)"
                                            if waits else ""))
        copies = {name: workflow_copy(tree, scratch / name) for name, tree in trees.items()}
        print("| tree | seeds | jobs | wall s | CPU s | ms/job, wall | ms/job, CPU | peak MB |")
        print("|---|---|---|---|---|---|---|---|")
        for seeds in args.seeds:
            for name, tree in trees.items():
                r = plan(copies[name], tree, seeds, args.timeout)
                if r["rc"] != 0 or r["jobs"] is None:
                    why = f"> {args.timeout:.0f} s, stopped" if r["timed_out"] else f"failed (rc {r['rc']})"
                    print(f"| {name} | {seeds} | | {why} | {r['cpu']:.1f} | | | {r['rss_mb']:.0f} |", flush=True)
                    if not r["timed_out"]:
                        print(r["out"][-2000:], file=sys.stderr)
                    continue
                wall, cpu = (1000 * (r[k] - fixed[k]) / r["jobs"] for k in ("wall", "cpu"))
                print(f"| {name} | {seeds} | {r['jobs']:,} | {r['wall']:.1f} | {r['cpu']:.1f} | {wall:.2f} | {cpu:.2f} "
                      f"| {r['rss_mb']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
