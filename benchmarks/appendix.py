"""Appendix studies benchmark (issue 8), all in one run on one machine.

Figure 10, start states:
  (p)  a checkpoint's PURD from s_I: N samples of its TD3 update, rolled out (the PURD engine)
  (s)  start_states.sample over S stored states (the same N updates from each), per state
Behaviour cloning, Figure 22:
  (b1) BC training, one teacher's clone: updates/s of the jitted chunks
  (bT) T teachers' clones in lockstep (train_clones: vmapped on a GPU, a loop on the CPU), updates/s
  (c)  a clone's PURD (one more BC step per sample), against (p)

The agents are fresh 256x256 networks of the protocol's settings (docs/protocol.md) with random transitions: the cost does not
depend on the weights. Compile time is excluded (each case runs once first); cases take turns for
--repeats rounds and report medians.

  .venv/bin/python benchmarks/appendix.py                        # hopper, N = 100, S = 4, T = 3
  .venv/bin/python benchmarks/appendix.py --samples 1000 --batch-size 1000 --teachers 5   # a GPU
"""

from __future__ import annotations

import argparse
import time

import jax
import jax.numpy as jnp
import numpy as np

from workflow_lib.agents import bc
from workflow_lib.studies import behaviour_cloning
from workflow_lib.studies import purd
from workflow_lib.agents import replay
from workflow_lib.studies import start_states
from workflow_lib.envs.native import make_env
from workflow_lib.core.trees import stack
from workflow_lib.workflow.runtime import host_devices


def timed(fn) -> float:
    t0 = time.perf_counter()
    jax.block_until_ready(fn())
    return time.perf_counter() - t0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--env", default="hopper")
    p.add_argument("--backend", default="spring")
    p.add_argument("--samples", type=int, default=100, help="N")
    p.add_argument("--batch-size", type=int, default=50)
    p.add_argument("--length", type=int, default=1000)
    p.add_argument("--states", type=int, default=4, help="S: start states of case (s)")
    p.add_argument("--teachers", type=int, default=3, help="T: clones trained in lockstep in case (bT)")
    p.add_argument("--bc-steps", type=int, default=2000, help="BC updates per clone in cases (b1), (bT)")
    p.add_argument("--buffer", type=int, default=50_000, help="stored transitions")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--host-devices", type=int, default=0, help="CPU: devices the chunks are split over (0: one per core)")
    args = p.parse_args()
    host_devices(args.host_devices or None)
    settings = purd.Settings(n=args.samples, batch_size=args.batch_size, episode_length=args.length)
    teacher = purd.synthetic_policy(args.env, args.backend, "td3", {}, args.buffer)
    env = make_env(args.env, args.backend)
    states = jax.vmap(env.reset)(jax.random.split(jax.random.key(5), args.states))  # stand-ins for stored states
    times_ = list(range(args.states))
    cfg = bc.BCConfig(steps=args.bc_steps, logs=1)
    prefixes = np.linspace(args.buffer // args.teachers, args.buffer, args.teachers).astype(int)
    clones = [bc.init(jax.random.key(i), teacher.agent, int(s), cfg) for i, s in enumerate(prefixes)]
    lockstep = stack(clones)
    one = jax.tree.map(lambda x: x[:1], lockstep)
    keys = jax.random.split(jax.random.key(9), args.teachers)
    clone = purd.Policy(args.env, args.backend, "bc", 0, args.buffer, clones[-1],
                        replay.ReplayBuffer(teacher.buffer.data, clones[-1].dataset_size))
    cases = {
        "p": lambda: purd.sample(teacher, "td3", settings)["return"],
        "s": lambda: start_states.sample(teacher, states, times_, np.arange(args.states), settings)["return"].to_numpy(),
        "b1": lambda: behaviour_cloning.train_clones(one, teacher.buffer, keys[:1])[-1].actor.params,
        "bT": lambda: behaviour_cloning.train_clones(lockstep, teacher.buffer, keys)[-1].actor.params,
        "c": lambda: purd.sample(clone, "bc", settings)["return"],
    }
    print(f"devices: {len(jax.devices())} x {jax.devices()[0].device_kind}; {args.env}/{args.backend}, buffer "
          f"{args.buffer}, N = {args.samples} (batch {args.batch_size}), {args.length} steps, S = {args.states}, "
          f"T = {args.teachers}, {args.bc_steps} BC steps")
    compile_s = {name: timed(fn) for name, fn in cases.items()}
    times = {name: [] for name in cases}
    for _ in range(args.repeats):
        for name, fn in cases.items():
            times[name].append(timed(fn))
    t = {name: float(np.median(v)) for name, v in times.items()}
    rate = args.samples * args.length
    print(f"(p)  PURD from s_I                 {t['p']:8.3f} s  {rate / t['p']:10.0f} env-steps/s"
          f"  ({compile_s['p']:.1f} s first call)")
    per_state = t["s"] / args.states
    print(f"(s)  start states, per state       {per_state:8.3f} s  {rate / per_state:10.0f} env-steps/s;"
          f"  (s) per state / (p) = {per_state / t['p']:.2f}")
    u1, uT = args.bc_steps / t["b1"], args.teachers * args.bc_steps / t["bT"]
    print(f"(b1) BC, one clone                 {u1:10.0f} updates/s  ({compile_s['b1']:.1f} s first call)")
    print(f"(bT) BC, {args.teachers} clones in lockstep      {uT:10.0f} updates/s;  (bT) / (b1) = {uT / u1:.2f}")
    print(f"(c)  a clone's PURD                {t['c']:8.3f} s  {rate / t['c']:10.0f} env-steps/s;"
          f"  (c) / (p) = {t['c'] / t['p']:.2f}")
    print(f"BC training of one clone for 1M steps at (b1): {1e6 / u1 / 60:.1f} min")


if __name__ == "__main__":
    main()
