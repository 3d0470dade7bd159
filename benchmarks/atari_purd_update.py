"""Atari PURD with the authors' update and return (issue 28), one run on one machine.

  (w)  purd.sample of a ppo_atari policy as the study runs it: per sample a fresh unroll
       (num_envs x unroll_length steps of training copies), one whole PPO iteration (num_epochs x
       num_minibatches Adam steps, fresh Adam, no clip; ppo_atari.purd_update: iteration), then a
       greedy clipped-horizon rollout (episode_length + 1 steps); samples/s
  the same programs' pieces alone, each on its own, in the same run:
  (u)  the unrolls: atari_unroll.collect of update_batch samples' copies at a time
  (i)  the iterations: post_update_program on those unrolls (all samples' 16 steps in one
       compiled program per group of update_batch samples)
  (e)  the evaluation: the family's rollouts of N given policies over the horizon
  ratio (w) / (u + i + e): 1 means no bookkeeping; and (e)'s share of (w), which the issue wants
  to dominate. (m) the same as (w) with purd_update minibatch, for what the iteration costs.

The agent is a fresh Nature CNN (costs do not depend on the weights); each case runs once first
to compile.

  .venv/bin/python benchmarks/atari_purd_update.py                         # Qbert, N = 8
  .venv/bin/python benchmarks/atari_purd_update.py --samples 64 --update-batch 16 --length 10000
"""

from __future__ import annotations

import argparse
import time

import jax
import jax.numpy as jnp
import numpy as np

from workflow_lib.agents.registry import ALGORITHMS
from workflow_lib.engine import atari_unroll
from workflow_lib.engine.families import HOST, horizon
from workflow_lib.envs.host import copy_seed
from workflow_lib.studies import purd


def seconds(fn) -> float:
    t0 = time.perf_counter()
    jax.block_until_ready(fn())
    return time.perf_counter() - t0


def pieces(policy, settings: purd.Settings) -> dict[str, float]:
    """Seconds of (u), (i) and (e) for settings.n samples, each piece alone."""
    learner = ALGORITHMS["ppo_atari"].module
    agent = purd.with_update_options(policy, settings.update_options).agent
    per, length = agent.config.num_envs, agent.config.unroll_length
    batch, keys = settings.update_batch, jax.random.split(jax.random.key(0), settings.n)
    act, update = atari_unroll.act_program(learner, True), atari_unroll.post_update_program(learner)
    copies = atari_unroll.training_copies(policy.env, batch * per)
    rollouts, spent = [], {"(u) unrolls": 0.0, "(i) iterations": 0.0}
    for lo in range(0, settings.n, batch):
        obs = copies.reset([copy_seed(lo, g, e) for g in range(batch) for e in range(per)])
        t0 = time.perf_counter()
        unroll, _, _ = atari_unroll.collect(copies, obs, act, agent, keys[lo:lo + batch], length, batch)
        spent["(u) unrolls"] += time.perf_counter() - t0
        rollouts.append(atari_unroll.as_rollouts(learner, unroll))
    params = []
    for lo, rollout in zip(range(0, settings.n, batch), rollouts):
        t0 = time.perf_counter()
        params.append(jax.block_until_ready(update(agent, rollout, keys[lo:lo + batch])))
        spent["(i) iterations"] += time.perf_counter() - t0
    stacked = jax.tree.map(lambda *xs: jnp.concatenate(xs), *params)  # on the device, as the engine keeps them
    rollout = settings.rollout()
    spent["(e) evaluation"] = seconds(lambda: HOST.rollouts(HOST.make(policy.env, policy.backend), learner, agent, stacked, 0, rollout)["return"])
    return spent


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--game", default="Qbert")
    p.add_argument("--samples", type=int, default=8, help="N")
    p.add_argument("--update-batch", type=int, default=4)
    p.add_argument("--length", type=int, default=1000, help="atari.episode_length (the horizon is one more)")
    args = p.parse_args()
    env = f"atari-{args.game}"
    policy = purd.synthetic_policy(env, "spring", "ppo_atari", {}, 1)
    settings = purd.Settings(n=args.samples, batch_size=args.samples, update_batch=args.update_batch,
                             episode_length=args.length)
    steps = horizon(env, settings.rollout())
    print(f"{env}: N = {args.samples}, update_batch {args.update_batch}, horizon {steps} steps; "
          f"jax {jax.__version__} on {jax.devices()[0].platform}")
    t0 = time.perf_counter()
    short = purd.Settings(**{**settings.__dict__, "episode_length": 8})  # the same programs, short rollouts
    for options in ({}, {"purd_update": "minibatch"}):  # compiles both updates and the rollout's forward
        purd.sample(policy, "ppo_atari", purd.Settings(**{**short.__dict__, "update_options": options}))
    pieces(policy, short)  # the pieces' own programs (their inputs are placed otherwise)
    print(f"compiled (and one short pass of each) in {time.perf_counter() - t0:.1f} s", flush=True)
    whole = seconds(lambda: purd.sample(policy, "ppo_atari", settings)["return"])
    print(f"(w) whole, iteration: {whole:7.2f} s = {args.samples / whole:7.2f} samples/s", flush=True)
    minibatch = seconds(lambda: purd.sample(policy, "ppo_atari", purd.Settings(
        **{**settings.__dict__, "update_options": {"purd_update": "minibatch"}}))["return"])
    print(f"(m) whole, minibatch: {minibatch:7.2f} s = {args.samples / minibatch:7.2f} samples/s", flush=True)
    parts = pieces(policy, settings)
    total = sum(parts.values())
    for name, sec in parts.items():
        print(f"    {name:<16} {sec:7.2f} s  {100 * sec / whole:5.1f}% of (w)")
    print(f"    (u + i + e)      {total:7.2f} s; ratio (u + i + e) / (w) = {total / whole:.2f} "
          f"(bookkeeping {whole - total:+.2f} s); evaluation's share of (w): {parts['(e) evaluation'] / whole:.2f}")


if __name__ == "__main__":
    main()
