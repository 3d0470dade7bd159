"""Interpolation engine benchmark (issue 6), in policy-rollouts/s, all in one run on one machine:

  (i)  interpolation: one pair's path, P points x S perturbations (workflow_lib.interpolation.path)
  (p)  PURD sampling of the same number of samples with TD3 updates (workflow_lib.purd.sample)
  (b)  the same number of distinct fixed policies rolled out (benchmarks/purd.py's case (b))

Both engines share the rollout; the interpolation builds each item's parameters (an
interpolation and a Gaussian perturbation) where PURD sampling takes a TD3 update, so (i)/(b)
shows what building the parameters costs. Compile time is excluded (each case runs once first);
the cases take turns for --repeats rounds and report medians.

  .venv/bin/python benchmarks/interpolation.py                    # hopper, 10 points x 100 samples
  .venv/bin/python benchmarks/interpolation.py --points 100 --samples 10
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

import jax
import numpy as np

from workflow_lib.studies import interpolation
from workflow_lib.studies import purd
from workflow_lib.agents import td3
from workflow_lib.envs.native import make_env, reference_state
from workflow_lib.workflow.runtime import host_devices

_spec = importlib.util.spec_from_file_location("purd_benchmark", Path(__file__).with_name("purd.py"))
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--envs", nargs="+", default=["hopper"])
    p.add_argument("--backend", default="spring")
    p.add_argument("--points", type=int, default=10)
    p.add_argument("--samples", type=int, default=100)
    p.add_argument("--batch-size", type=int, default=100)
    p.add_argument("--length", type=int, default=1000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--host-devices", type=int, default=0, help="CPU: devices the chunks are split over (0: one per core)")
    args = p.parse_args()
    host_devices(args.host_devices or None)
    n = args.points * args.samples
    print(f"devices: {len(jax.devices())} x {jax.devices()[0].device_kind}, backend {args.backend}, "
          f"{args.points} points x {args.samples} samples = {n} rollouts per case, batch {args.batch_size}, "
          f"{args.length} steps")
    for env_name in args.envs:
        settings = purd.Settings(n=n, batch_size=args.batch_size, episode_length=args.length)
        first = bench.td3_policy(env_name, args.backend)
        env = make_env(env_name, args.backend)
        other = td3.init(jax.random.key(9), env.observation_size, env.action_size, first.agent.config)
        second = purd.Policy(env_name, args.backend, "td3", 1, 1, other)
        start = reference_state(env_name, args.backend)
        cases = {
            "i": lambda: interpolation.path(first, second, args.points, args.samples, settings),
            "p": lambda: purd.sample(first, "td3", settings),
            "b": bench.fixed_policies(first, start, settings, n),
        }
        compile_s = {name: bench.timed(fn) for name, fn in cases.items()}
        times = {name: [] for name in cases}
        for _ in range(args.repeats):
            for name, fn in cases.items():
                times[name].append(bench.timed(fn))
        rates = {name: n / float(np.median(t)) for name, t in times.items()}
        for name in cases:
            print(f"{env_name:12} ({name}) {rates[name]:10,.1f} policy-rollouts/s  "
                  f"({rates[name] * args.length:,.0f} env-steps/s; {compile_s[name]:.1f} s first run)", flush=True)
        print(f"{env_name:12} (i)/(p) = {rates['i'] / rates['p']:.2f}   (i)/(b) = {rates['i'] / rates['b']:.2f}",
              flush=True)


if __name__ == "__main__":
    main()
