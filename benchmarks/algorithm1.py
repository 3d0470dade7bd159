"""Algorithm 1 benchmark (issue 7): where the time of one proposal goes, all in one run on one machine.

  (u)  the update: one training cycle from the held state (env steps with exploration, each stored
       and followed by a training update; TD3: 2 steps and one actor step), the jitted proposal program
  (e)  the PURD estimate of the candidate: N samples of the algorithm's own update rolled out from s_I
  (f)  the same number of fixed policies rolled out (benchmarks/purd.py's case (b)): the rollouts alone
  (r)  a whole run of K proposals (both variants; one estimate per proposal while they share a state)

The agent is a fresh 256x256 network of the protocol's settings (docs/protocol.md) with random transitions in its buffer: the
cost does not depend on the weights, as rollouts always run every step. Compile time is excluded
(each case runs once first); cases take turns for --repeats rounds and report medians.

  .venv/bin/python benchmarks/algorithm1.py                          # hopper TD3, N = 100, K = 10
  .venv/bin/python benchmarks/algorithm1.py --algo sac --samples 1000 --batch-size 1000   # a GPU
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import polars as pl

from workflow_lib.studies import purd
from workflow_lib.studies import algorithm1
from workflow_lib.studies.proposals import proposer
from workflow_lib.envs.carry import env_carry_init
from workflow_lib.envs.native import make_env, reference_state
from workflow_lib.core.trees import strong_types
from workflow_lib.training.loops import OffPolicyCarry
from workflow_lib.workflow.runtime import host_devices

_spec = importlib.util.spec_from_file_location("purd_benchmark", Path(__file__).with_name("purd.py"))
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def synthetic_start(env_name: str, backend: str, algo: str, buffer_size: int, proposals: int) -> algorithm1.Start:
    """A Start as load_start makes one, from a fresh agent and random transitions."""
    policy = purd.synthetic_policy(env_name, backend, algo, {}, buffer_size)
    env = make_env(env_name, backend)
    carry = strong_types(OffPolicyCarry(policy.agent, env_carry_init(env, jax.random.key(3)), policy.buffer,
                                        jax.random.key(4), jnp.asarray(buffer_size, jnp.int32)))
    propose = proposer(env_name, backend, algo, 1000)
    return algorithm1.Start(env_name, backend, algo, 0, buffer_size, 1000, algorithm1.with_room(carry, proposals), propose)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--env", default="hopper")
    p.add_argument("--backend", default="spring")
    p.add_argument("--algo", default="td3", choices=["td3", "sac"])
    p.add_argument("--samples", type=int, default=100, help="N")
    p.add_argument("--proposals", type=int, default=10, help="K of the whole run (r)")
    p.add_argument("--batch-size", type=int, default=50)
    p.add_argument("--length", type=int, default=1000)
    p.add_argument("--buffer", type=int, default=50_000, help="stored transitions of the checkpoint")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--host-devices", type=int, default=0, help="CPU: devices the chunks are split over (0: one per core)")
    args = p.parse_args()
    host_devices(args.host_devices or None)
    settings = algorithm1.Settings(proposals=args.proposals, samples=args.samples, batch_size=args.batch_size,
                                  episode_length=args.length)
    start = synthetic_start(args.env, args.backend, args.algo, args.buffer, args.proposals)
    propose = start.proposer.propose
    root = jax.random.key(11)
    sampling = purd.Settings(n=args.samples, batch_size=args.batch_size, episode_length=args.length)
    policy = purd.Policy(args.env, args.backend, args.algo, 0, args.buffer, start.carry.agent, start.carry.buffer)
    runs = []

    def whole_run():
        t0 = time.perf_counter()
        trace, _ = algorithm1.run(start, len(runs), settings)
        runs.append((time.perf_counter() - t0, trace))

    cases = {
        "u": lambda: propose(start.carry),
        "e": lambda: algorithm1.estimate(start, start.carry, root, settings),
        "f": bench.fixed_policies(policy, reference_state(args.env, args.backend), sampling, args.samples),
        "r": whole_run,
    }
    print(f"devices: {len(jax.devices())} x {jax.devices()[0].device_kind}; {args.env}/{args.backend} {args.algo}, "
          f"buffer {args.buffer}, N = {args.samples} (batch {args.batch_size}), {args.length} steps, K = {args.proposals}")
    compile_s = {name: bench.timed(fn) for name, fn in cases.items()}
    runs.clear()
    times = {name: [] for name in cases}
    for _ in range(args.repeats):
        for name, fn in cases.items():
            if name == "u":  # milliseconds: the median of many calls
                times[name].append(float(np.median([bench.timed(fn) for _ in range(20)])))
            else:
                times[name].append(bench.timed(fn))
    t = {name: float(np.median(v)) for name, v in times.items()}
    estimates = [estimate_count(trace) for _, trace in runs]
    per_proposal = t["u"] + t["e"]
    print(f"(u) update (one training cycle)   {t['u'] * 1e3:9.2f} ms   ({compile_s['u']:.1f} s first call)")
    print(f"(e) PURD estimate, N = {args.samples:<6}     {t['e']:9.3f} s    {args.samples / t['e']:8.1f} policy-rollouts/s"
          f"  ({compile_s['e']:.1f} s first call)")
    print(f"(f) N fixed policies rolled out  {t['f']:9.3f} s    {args.samples / t['f']:8.1f} policy-rollouts/s")
    print(f"one proposal = (u) + (e) = {per_proposal:.3f} s: update {100 * t['u'] / per_proposal:.2f}%, "
          f"PURD estimate {100 * t['e'] / per_proposal:.2f}%;  (e)/(f) = {t['e'] / t['f']:.2f}")
    print(f"(r) whole run, K = {args.proposals}: {t['r']:.2f} s = {t['r'] / args.proposals:.3f} s per proposal, "
          f"{np.median(estimates):.0f} PURD estimates (2K + 1 = {2 * args.proposals + 1} without sharing); "
          f"(r) / (estimates x (e) + K x (u)) = "
          f"{t['r'] / (np.median(estimates) * t['e'] + args.proposals * t['u']):.2f}")


def estimate_count(trace: pl.DataFrame) -> int:
    """PURD estimates a run made: the start's, one per proposal while both variants held the same
    state, two after the first rejection."""
    rej = trace.filter((pl.col("variant") == "rejection") & (pl.col("proposal") > 0)).sort("proposal")
    first = next((k for k, a in zip(rej["proposal"], rej["accepted"]) if not a), None)
    k = rej.height
    return 1 + (k if first is None else (first + 2 * (k - first)))


if __name__ == "__main__":
    main()
