"""Learning benchmark (issue 2): our TD3/SAC/PPO vs Brax's own SAC and PPO trainers.

Same env, steps and closest settings. Reports the deterministic return from s_I at the end
and the training throughput (seed-updates/s for TD3/SAC, env-steps/s for PPO), compile time
excluded on both sides. The peer runs in its own process on the same pinned jax and brax
(jax 0.8.3: Brax's trainers do not run on jax 0.10).

  .venv/bin/python benchmarks/learning.py                       # the issue's settings
  .venv/bin/python benchmarks/learning.py --offpolicy-steps 20000 --ppo-steps 500000  # quick
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import time
from pathlib import Path

import jax
import numpy as np

from workflow_lib.training import TrainJob, Trainer

ROOT = Path(__file__).resolve().parent.parent


def ours(algo: str, env: str, backend: str, steps: int, seeds: int, log_every: int) -> dict:
    """Train `seeds` vmapped seeds; time every chunk after the first of its kind (compile)."""
    job = TrainJob(env, backend, algo, tuple(range(seeds)), steps, (steps,), {},
                   warmup_steps=10000 if algo != "ppo" else 0, log_every=log_every)
    trainer = Trainer(job, ROOT / "results" / "benchmarks" / f"_work_{algo}", logging.getLogger("bench"))
    from workflow_lib.training import boundaries

    carry, step, timed_steps, timed_s, seen = trainer.initial_carry(), 0, 0, 0.0, set()
    t_all = time.time()
    for end in boundaries(job, trainer.unit):
        learn = step >= job.warmup_steps
        fn = trainer.chunk(end - step, learn)
        t0 = time.time()
        carry, _ = fn(carry)
        jax.block_until_ready(carry)
        if learn and (end - step, learn) in seen:
            timed_steps, timed_s = timed_steps + (end - step), timed_s + time.time() - t0
        seen.add((end - step, learn))
        step = end
        print(f"  ours {algo}: step {end}/{steps}", file=sys.stderr, flush=True)
    returns = np.asarray(trainer._evaluate(carry.agent)["return"]).tolist()
    per_s = seeds * timed_steps / timed_s  # seed-updates/s (TD3/SAC), env-steps/s over seeds (PPO)
    return {"algo": algo, "returns": returns, "wall_s": time.time() - t_all,
            "rate": per_s, "rate_unit": "seed-updates/s" if algo != "ppo" else "env-steps/s"}


def peer(algo: str, env: str, backend: str, steps: int, seeds: int) -> dict:
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "peer_brax.py"), algo, "--env", env,
         "--backend", backend, "--steps", str(steps), "--seeds", str(seeds)],
        check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--env", default="hopper")
    p.add_argument("--backend", default="spring")
    p.add_argument("--offpolicy-steps", type=int, default=100_000)
    p.add_argument("--ppo-steps", type=int, default=5_000_000)
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--peer-seeds", type=int, default=1)
    p.add_argument("--only", nargs="*", default=["td3", "sac", "ppo", "brax-sac", "brax-ppo"])
    args = p.parse_args()
    rows = []
    for name in args.only:
        print(f"running {name}", file=sys.stderr, flush=True)
        if name in ("td3", "sac"):
            r = ours(name, args.env, args.backend, args.offpolicy_steps, args.seeds, 10_000)
        elif name == "ppo":
            r = ours(name, args.env, args.backend, args.ppo_steps, args.seeds, 524_288)
        else:
            algo = name.split("-")[1]
            res = peer(algo, args.env, args.backend, args.offpolicy_steps if algo == "sac" else args.ppo_steps,
                       args.peer_seeds)
            r = {"algo": name, "returns": [x["return"] for x in res["runs"]], "wall_s": sum(x["wall_s"] for x in res["runs"]),
                 "rate": float(np.mean([x["sps_last"] for x in res["runs"]])),
                 "rate_unit": "updates/s" if algo == "sac" else "env-steps/s"}
        rows.append(r)
        print(json.dumps(r), flush=True)
    by = {r["algo"]: r for r in rows}
    print(f"\n{args.env}/{args.backend}: deterministic return from s_I at the end, and training throughput")
    print(f"{'algo':10} {'mean return':>12} {'per seed':>28} {'rate':>12}  unit")
    for r in rows:
        per = ", ".join(f"{x:.0f}" for x in r["returns"])
        print(f"{r['algo']:10} {np.mean(r['returns']):12.1f} {per:>28} {r['rate']:12.1f}  {r['rate_unit']}")
    for mine, theirs in (("td3", "brax-sac"), ("sac", "brax-sac"), ("ppo", "brax-ppo")):
        if mine in by and theirs in by:
            print(f"throughput {mine} / {theirs}: {by[mine]['rate'] / by[theirs]['rate']:.2f}x   "
                  f"return {mine} - {theirs}: {np.mean(by[mine]['returns']) - np.mean(by[theirs]['returns']):+.1f}")


if __name__ == "__main__":
    main()
