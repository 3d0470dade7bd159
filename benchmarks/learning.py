"""Learning benchmark (issue 2): our TD3/SAC/PPO vs Brax's own SAC and PPO trainers.

Same env, steps and closest settings. Reports the deterministic return from s_I at the end
and the training throughput (seed-updates/s for TD3/SAC, env-steps/s for PPO), compile time
excluded on both sides. Every training job is its own process, as in the workflow; the peer
runs Brax's trainer on the same pinned jax and brax (jax 0.8.3: they do not run on jax 0.10).

  .venv/bin/python benchmarks/learning.py                       # the issue's settings
  .venv/bin/python benchmarks/learning.py --offpolicy-steps 30000 --ppo-steps 1000000  # quick
  .venv/bin/python benchmarks/learning.py --peer-jobs 2         # the peer laid out as ours
  .venv/bin/python benchmarks/learning.py --seeds-per-job 3 --jobs 1   # seeds stacked (GPU layout)

Layout: our jobs run `--jobs` at a time (default: one per core), each on a core of its own, as
`snakemake --cores N` runs the training rules (threads: 1, workflow_lib.runtime.claim_cores).
Brax's trainer runs one seed at a time over all cores by default (`--peer-jobs 1`). A rate is the
sum of the rates of the jobs that ran side by side, averaged over the rounds that used every
core (a lone last job leaves cores idle that a workflow would give to other jobs).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def train_block(algo: str, env: str, backend: str, steps: int, block: tuple[int, ...], log_every: int) -> dict:
    """Train one job (a block of seeds) in this process; time every chunk after the first of its
    kind (compile). Returns the final returns and the timed seed-steps and seconds."""
    import jax

    from workflow_lib.training.trainer import TrainJob, Trainer, boundaries

    job = TrainJob(env, backend, algo, block, steps, (steps,), {},
                   warmup_steps=10000 if algo != "ppo" else 0, log_every=log_every)
    work = ROOT / "results" / "benchmarks" / f"_work_{algo}_{'-'.join(map(str, block))}"
    trainer = Trainer(job, work, logging.getLogger("bench"))
    carry, step, seen, seed_steps, timed_s = trainer.initial_carry(), 0, set(), 0, 0.0
    for end in boundaries(job, trainer.unit):
        learn = step >= job.warmup_steps
        fn = trainer.chunk(end - step, learn)
        t0 = time.time()
        carry, _ = fn(carry)
        jax.block_until_ready(carry)
        if learn and (end - step, learn) in seen:
            seed_steps, timed_s = seed_steps + len(block) * (end - step), timed_s + time.time() - t0
        seen.add((end - step, learn))
        step = end
        print(f"  ours {algo} seeds {block}: step {end}/{steps}", file=sys.stderr, flush=True)
    returns = np.asarray(trainer._evaluate(carry.agent)["return"]).tolist()
    return {"returns": returns, "rate": seed_steps / timed_s}


def side_by_side(commands: list[list[str]], jobs: int) -> list[list[dict]]:
    """Run the commands `jobs` at a time, each pinned to a core of its own when jobs > 1 (one job
    over all cores when jobs == 1); the last JSON line of each, grouped by round."""
    cores = sorted(os.sched_getaffinity(0))
    if jobs > len(cores):
        sys.exit(f"--jobs {jobs}: this process has {len(cores)} cores")
    rounds = []
    for first in range(0, len(commands), jobs):
        procs = []
        for i, cmd in enumerate(commands[first:first + jobs]):
            pin = (lambda core=cores[i]: os.sched_setaffinity(0, {core})) if jobs > 1 else None
            procs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, preexec_fn=pin))
        outs = [p.communicate()[0] for p in procs]
        if any(p.returncode for p in procs):
            sys.exit(f"a job failed: {commands[first:first + jobs]}")
        rounds.append([json.loads(out.strip().splitlines()[-1]) for out in outs])
    return rounds


def summarise(name: str, rounds: list[list[dict]], jobs: int, unit: str) -> dict:
    """Returns of all seeds; the rate of the rounds that used every core (else of all rounds)."""
    full = [r for r in rounds if len(r) == jobs] or rounds
    return {"algo": name, "returns": [x for r in rounds for job in r for x in job["returns"]], "jobs": jobs,
            "rate": float(np.mean([sum(job["rate"] for job in r) for r in full])), "rate_unit": unit}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--env", default="hopper")
    p.add_argument("--backend", default="spring")
    p.add_argument("--offpolicy-steps", type=int, default=100_000)
    p.add_argument("--ppo-steps", type=int, default=5_000_000)
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--seeds-per-job", type=int, default=1,
                   help="seeds trained together in one job (the workflow's train.seeds_per_job); 1 = its default")
    p.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)),
                   help="our jobs side by side, a core each (default: one per core)")
    p.add_argument("--peer-seeds", type=int, default=1)
    p.add_argument("--peer-jobs", type=int, default=1, help="peer seeds side by side, a core each (1: all cores)")
    p.add_argument("--only", nargs="*", default=["td3", "sac", "ppo", "brax-sac", "brax-ppo"])
    p.add_argument("--worker", nargs=2, metavar=("ALGO", "SEEDS"), help=argparse.SUPPRESS)
    args = p.parse_args()
    steps = {"td3": args.offpolicy_steps, "sac": args.offpolicy_steps, "ppo": args.ppo_steps}
    if args.worker:  # one of our jobs, in its own process
        algo, seeds = args.worker[0], tuple(int(s) for s in args.worker[1].split(","))
        log_every = 10_000 if algo != "ppo" else 524_288
        print(json.dumps(train_block(algo, args.env, args.backend, steps[algo], seeds, log_every)))
        return

    common = ["--env", args.env, "--backend", args.backend]
    rows = []
    for name in args.only:
        print(f"running {name}", file=sys.stderr, flush=True)
        t0 = time.time()
        if name in ("td3", "sac", "ppo"):
            blocks = [range(s, min(s + args.seeds_per_job, args.seeds)) for s in range(0, args.seeds, args.seeds_per_job)]
            cmds = [[sys.executable, __file__, *common, "--offpolicy-steps", str(args.offpolicy_steps),
                     "--ppo-steps", str(args.ppo_steps), "--worker", name, ",".join(map(str, b))] for b in blocks]
            r = summarise(name, side_by_side(cmds, args.jobs), args.jobs,
                          "seed-updates/s" if name != "ppo" else "env-steps/s")
        else:
            algo = name.split("-")[1]
            cmds = [[sys.executable, str(ROOT / "benchmarks" / "peer_brax.py"), algo, *common,
                     "--steps", str(steps[algo]), "--seed", str(s)] for s in range(args.peer_seeds)]
            r = summarise(name, side_by_side(cmds, args.peer_jobs), args.peer_jobs,
                          "updates/s" if algo == "sac" else "env-steps/s")
        r["wall_s"] = time.time() - t0
        rows.append(r)
        print(json.dumps(r), flush=True)
    by = {r["algo"]: r for r in rows}
    print(f"\n{args.env}/{args.backend}: deterministic return from s_I at the end, and training throughput")
    print(f"{'algo':10} {'mean return':>12} {'per seed':>28} {'rate':>12}  unit (jobs side by side)")
    for r in rows:
        per = ", ".join(f"{x:.0f}" for x in r["returns"])
        print(f"{r['algo']:10} {np.mean(r['returns']):12.1f} {per:>28} {r['rate']:12.1f}  {r['rate_unit']} ({r['jobs']})")
    for mine, theirs in (("td3", "brax-sac"), ("sac", "brax-sac"), ("ppo", "brax-ppo")):
        if mine in by and theirs in by:
            print(f"throughput {mine} / {theirs}: {by[mine]['rate'] / by[theirs]['rate']:.2f}x   "
                  f"return {mine} - {theirs}: {np.mean(by[mine]['returns']) - np.mean(by[theirs]['returns']):+.1f}")


if __name__ == "__main__":
    main()
