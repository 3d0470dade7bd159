"""PURD sampling benchmark (issue 3), in env-steps/s, all in one run on one machine:

  (a) the simulator alone: zero actions, batch_size envs stepped together
  (b) the irreducible work: N distinct fixed TD3 policies (vmapped parameters) rolled out
  (c) full PURD sampling with TD3 updates: N updates + N rollouts (workflow_lib.purd.sample)
  (d) a per-sample Python loop over one jitted single-policy update + rollout
  (e) the N TD3 updates of (c) alone, no rollouts (in env-steps/s of the rollouts they stand for)

Goals: (c)/(b) >= 0.9 and (c)/(d) >= 5. Since (c) does the work of (b) and of (e), its time is
at least theirs together: (c)/(b) <= (e)/((b) + (e)), printed as the bound. Compile time is
excluded everywhere (each program runs once before it is timed); the cases then take turns for
--repeats rounds and each reports its median. The policy is a fresh 256x256 TD3 agent with
random transitions in its buffer: the cost of a rollout does not depend on the weights, since
every rollout runs all its steps (returns are masked after termination, not cut short).

  .venv/bin/python benchmarks/purd.py                        # hopper and ant, N = 1000
  .venv/bin/python benchmarks/purd.py --envs hopper --n 200  # quick
"""

from __future__ import annotations

import argparse
import math
import time

import jax
import jax.numpy as jnp
import numpy as np

from workflow_lib.studies import purd
from workflow_lib.agents import replay
from workflow_lib.agents import td3
from workflow_lib.agents.registry import ALGORITHMS
from workflow_lib.envs.native import make_env, reference_state
from workflow_lib.engine.rollout import rollout_return
from workflow_lib.workflow.runtime import host_devices


def td3_policy(env_name: str, backend: str, buffer_size: int = 10_000) -> purd.Policy:
    """A fresh 256x256 TD3 agent (the settings of docs/protocol.md) with random transitions in its buffer."""
    return purd.synthetic_policy(env_name, backend, "td3", {}, buffer_size)


def timed(fn) -> float:
    """Seconds of one call, its results ready."""
    t0 = time.perf_counter()
    jax.block_until_ready(fn())
    return time.perf_counter() - t0


def simulator_alone(env, start, settings: purd.Settings, n: int):
    """(a): n envs from s_I, zero actions, in chunks of batch_size split over the devices."""
    replicated, sharded = purd.shardings(settings.batch_size)

    def chunk(start, indices):
        states = jax.lax.with_sharding_constraint(jax.vmap(lambda i: start)(indices), sharded)

        def step(s, _):
            s = jax.vmap(lambda s: env.step(s, jnp.zeros(env.action_size)))(s)
            return s, s.reward

        return jax.lax.scan(step, states, None, length=settings.episode_length)[1].sum(0)

    run = jax.jit(chunk, in_shardings=(replicated, sharded), out_shardings=sharded)
    indices = jax.device_put(np.arange(settings.batch_size), sharded)
    start = jax.device_put(start, replicated)
    return lambda: [run(start, indices) for _ in range(math.ceil(n / settings.batch_size))]


def fixed_policies(policy: purd.Policy, start, settings: purd.Settings, n: int):
    """(b): n distinct parameter vectors (made beforehand), rolled out in chunks of batch_size
    split over the devices, exactly as (c) rolls out its updated policies."""
    algo, env = ALGORITHMS[policy.algo], make_env(policy.env, policy.backend)
    replicated, sharded = purd.shardings(settings.batch_size)
    perturb = purd.update_fn(algo, "gaussian", env, purd.Settings(sigma=0.01), 1000)
    keys = jax.random.split(jax.random.key(5), n)
    params = jax.jit(jax.vmap(lambda k: perturb(policy.agent, None, None, k)))(keys)
    chunks = [jax.device_put(jax.tree.map(lambda x, i=i: x[i:i + settings.batch_size], params), sharded)
              for i in range(0, n, settings.batch_size)]
    run = jax.jit(lambda agent, start, p: purd.rollouts(algo, env, agent, p, start, settings),
                  in_shardings=(replicated, replicated, sharded), out_shardings=sharded)
    agent, start = jax.device_put((policy.agent, start), replicated)
    return lambda: [run(agent, start, p) for p in chunks]


def updates_alone(policy: purd.Policy, settings: purd.Settings, n: int):
    """(e): the n TD3 updates of (c) (the training code's actor step, vmapped over the samples'
    keys, chunks split over the devices) without the rollouts."""
    algo, env = ALGORITHMS["td3"], make_env(policy.env, policy.backend)
    replicated, sharded = purd.shardings(settings.batch_size)
    update = purd.update_fn(algo, "td3", env, settings, policy.max_steps)
    root = purd.root_key(policy.env, "td3", 0, policy.step, "td3")

    def chunk(agent, buffer, indices):
        return jax.vmap(lambda i: update(agent, buffer, None, jax.random.fold_in(root, i)))(indices)

    run = jax.jit(chunk, in_shardings=(replicated, replicated, sharded), out_shardings=sharded)
    agent, buffer = jax.device_put((policy.agent, policy.buffer), replicated)
    b = settings.batch_size
    chunks = [jax.device_put(np.arange(i, i + b, dtype=np.uint32), sharded) for i in range(0, n, b)]
    return lambda: [run(agent, buffer, c) for c in chunks]


def python_loop(policy: purd.Policy, start, settings: purd.Settings, samples: int):
    """(d): one jitted program per sample (update + rollout), called from a Python loop."""
    env = make_env(policy.env, policy.backend)
    root = purd.root_key(policy.env, "td3", 0, policy.step, "td3")

    @jax.jit
    def one(i):
        key = jax.random.fold_in(root, i)
        batch = replay.buffer_sample(policy.buffer, key, policy.agent.config.batch_size)
        updated, _ = td3.actor_update(policy.agent, batch)
        return rollout_return(env, td3.policy, updated, start, settings.episode_length)

    return lambda: [one(jnp.uint32(i))["return"].block_until_ready() for i in range(samples)]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--envs", nargs="+", default=["hopper", "ant"])
    p.add_argument("--backend", default="spring")
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--batch-size", type=int, default=50)
    p.add_argument("--length", type=int, default=1000)
    p.add_argument("--update-batch", type=int, default=0, help="updates computed at once per chunk (0: all)")
    p.add_argument("--loop-samples", type=int, default=20, help="samples timed in (d)")
    p.add_argument("--repeats", type=int, default=3, help="timed rounds over all cases (median reported)")
    p.add_argument("--host-devices", type=int, default=0, help="CPU: devices the chunks are split over (0: one per core)")
    args = p.parse_args()
    host_devices(args.host_devices or None)
    print(f"devices: {len(jax.devices())} x {jax.devices()[0].device_kind}, physics backend {args.backend}, "
          f"N={args.n}, batch {args.batch_size}, {args.length} steps")
    for env_name in args.envs:
        settings = purd.Settings(n=args.n, batch_size=args.batch_size, update_batch=args.update_batch,
                                 episode_length=args.length)
        policy = td3_policy(env_name, args.backend)
        env, start = make_env(env_name, args.backend), reference_state(env_name, args.backend)
        steps = args.n * args.length
        cases = {
            "a": (simulator_alone(env, start, settings, args.n), steps),
            "b": (fixed_policies(policy, start, settings, args.n), steps),
            "c": (lambda: purd.sample(policy, "td3", settings), steps),
            "d": (python_loop(policy, start, settings, args.loop_samples), args.loop_samples * args.length),
            "e": (updates_alone(policy, settings, args.n), steps),
        }
        # Every case runs once to compile, then the cases take turns, `repeats` rounds: a slow
        # spell of a shared machine then hits all cases alike instead of one; medians reported.
        first = {name: timed(fn) for name, (fn, _) in cases.items()}
        times = {name: [] for name in cases}
        for _ in range(args.repeats):
            for name, (fn, _) in cases.items():
                times[name].append(timed(fn))
        rates = {}
        for name, (fn, n_steps) in cases.items():
            rates[name] = n_steps / float(np.median(times[name]))
            spread = ", ".join(f"{n_steps / t:,.0f}" for t in times[name])
            print(f"{env_name:12} ({name}) {rates[name]:12,.0f} env-steps/s   median of {spread};  "
                  f"{first[name]:6.2f} s first run (compile)", flush=True)
        print(f"{env_name:12} (c)/(b) = {rates['c'] / rates['b']:.2f}   (c)/(d) = {rates['c'] / rates['d']:.1f}   "
              f"(c)/(a) = {rates['c'] / rates['a']:.2f}   (b)/(a) = {rates['b'] / rates['a']:.2f}   "
              f"bound on (c)/(b): {rates['e'] / (rates['b'] + rates['e']):.2f}", flush=True)


if __name__ == "__main__":
    main()
