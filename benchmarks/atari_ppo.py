"""Atari PPO benchmark (issue 20), all in one run on one machine, ratios against plain loops.

PURD sampling on a game:
  (p)  purd.sample of a ppo_atari policy: N samples, each a fresh unroll (num_envs x
       unroll_length steps of training copies, the checkpoint's stochastic policy), one update,
       then a greedy rollout of N copies from one seed, capped at --length steps
  (f)  the same copies stepped with a fixed action (NOOP): the unroll's N x num_envs training
       copies for unroll_length steps, then N evaluation copies until game over or the cap
  ratio = agent steps/s of (p) over (f), counting the same steps (goal >= 0.7 on a CPU)
  and where (p)'s time goes: simulator, CNN forward (one jitted call per step for all copies),
  the frames' transfer to the device, the updates.

The rollout's ceiling on this machine:
  (r)  one greedy rollout step of N copies: the emulator alone, and the forward of N distinct
       policies (one frame each: a PURD's samples are N different networks) against one policy
       on N frames; sim / (sim + forward) bounds the ratio of the rollout phase, whatever the
       host loop does, when the forward and the emulator share the CPU.

Training:
  (t)  HostPPOTraining.advance: iterations of num_envs x unroll_length steps and one update each
  (c)  the same network and simulator without learning: the collection loop alone
  ratio = agent steps/s of (t) over (c)

The agent is a fresh Nature CNN (the cost of a forward or an update does not depend on its
weights); compile time is excluded (each case runs once first).

  .venv/bin/python benchmarks/atari_ppo.py                       # Breakout, N = 16, 2 seeds
  .venv/bin/python benchmarks/atari_ppo.py --game MsPacman --samples 32
"""

from __future__ import annotations

import argparse
import time

import jax
import numpy as np

from workflow_lib.agents.registry import ALGORITHMS
from workflow_lib.engine import families, atari_unroll
from workflow_lib.engine.families import host_copies, host_policy
from workflow_lib.envs.atari import AtariEnvs
from workflow_lib.studies import purd
from workflow_lib.training.files import carry_initializer
from workflow_lib.training.atari_loop import HostPPOTraining


class Timed:
    """Wraps a callable and adds its wall time to a shared counter under `name`."""

    def __init__(self, fn, name: str, spent: dict):
        self.fn, self.name, self.spent = fn, name, spent

    def __call__(self, *args, **kwargs):
        t0 = time.perf_counter()
        out = self.fn(*args, **kwargs)
        out = jax.block_until_ready(out)
        self.spent[self.name] = self.spent.get(self.name, 0.0) + time.perf_counter() - t0
        return out


def fixed_action_steps(env: str, samples: int, per: int, unroll: int, length: int) -> tuple[float, int]:
    """(seconds, steps) of case (f)."""
    train = AtariEnvs(env, samples * per, training=True)
    evals = host_copies(env, samples)
    t0 = time.perf_counter()
    train.reset(list(range(samples * per)))
    for _ in range(unroll):
        train.step(np.zeros(samples * per, np.int64))
    evals.reset([0] * samples)
    alive, lengths = np.ones(samples, bool), np.zeros(samples, np.int64)
    for _ in range(length):
        if not alive.any():
            break
        _, _, terminal = evals.step(np.zeros(samples, np.int64), alive)
        lengths += alive
        alive &= ~terminal
    return time.perf_counter() - t0, samples * per * unroll + int(lengths.sum())


def purd_case(policy, settings: purd.Settings, spent: dict) -> tuple[float, int]:
    """(seconds, steps) of case (p), with its time split into `spent`."""
    t0 = time.perf_counter()
    out = purd.sample(policy, policy.algo, settings)
    per, unroll = policy.agent.config.num_envs, policy.agent.config.unroll_length
    return time.perf_counter() - t0, settings.n * per * unroll + int(out["length"].sum())


def instrument(spent: dict) -> None:
    """Time the simulator, the CNN forward calls and the updates of every later case."""
    step = Timed(AtariEnvs.step, "simulator", spent)
    AtariEnvs.step = lambda self, *args: step(self, *args)  # a function, so that it binds
    atari_unroll.act_program.cache_clear()
    original_act = atari_unroll.act_program
    atari_unroll.act_program = lambda learner, shared: Timed(original_act(learner, shared), "CNN forward (unroll)", spent)
    families.host_policy = lambda learner: Timed(host_policy(learner), "CNN forward (rollout)", spent)
    original_post = atari_unroll.post_update_program
    atari_unroll.post_update_program = lambda learner: Timed(original_post(learner), "updates", spent)


def transfer_seconds(n: int, steps: int) -> float:
    """Seconds to put `steps` batches of n frames on the device (the per-step transfer)."""
    frames = np.zeros((n, 4, 84, 84), np.uint8)
    jax.block_until_ready(jax.device_put(frames))
    t0 = time.perf_counter()
    for _ in range(steps):
        jax.block_until_ready(jax.device_put(frames))
    return time.perf_counter() - t0


def rollout_ceiling(policy, env: str, samples: int, steps: int = 50) -> dict[str, float]:
    """Seconds per greedy rollout step of N copies (case r): the emulator with a fixed action,
    the forward of N distinct policies, and of one policy on N frames."""
    learner = ALGORITHMS["ppo_atari"].module
    distinct = jax.vmap(lambda k: learner.init(k, (4, 84, 84), policy.agent.train.params["actor"]["bias"].shape[0],
                                               policy.agent.config))(jax.random.split(jax.random.key(3), samples))
    params = jax.vmap(learner.actor_params)(distinct)
    copies = host_copies(env, samples)
    obs = copies.reset([0] * samples)
    frames = jax.device_put(obs)
    forward = host_policy(learner)
    shared = jax.jit(lambda agent, o: learner.policy(agent, o))

    def per_step(fn) -> float:
        jax.block_until_ready(fn())
        t0 = time.perf_counter()
        for _ in range(steps):
            jax.block_until_ready(fn())
        return (time.perf_counter() - t0) / steps

    noop = np.zeros(samples, np.int64)
    return {"emulator": per_step(lambda: copies.step(noop, np.ones(samples, bool))[1]),
            "forward, N distinct policies": per_step(lambda: forward(policy.agent, params, frames)),
            "forward, one policy on N frames": per_step(lambda: shared(policy.agent, frames))}


def training_cases(env: str, seeds: int, iterations: int, hp) -> dict[str, float]:
    """Agent steps/s per seed of (t) and (c)."""
    algo = ALGORITHMS["ppo_atari"]
    init = jax.vmap(carry_initializer(algo, env, "spring", hp, 1))
    carry = init(jax.random.split(jax.random.key(0), seeds))
    side = HostPPOTraining(env, algo, tuple(range(seeds)), hp)
    per_iteration = hp.num_envs * hp.unroll_length
    carry = side.advance(carry, 0, per_iteration, True, True, 1)  # compiles
    t0 = time.perf_counter()
    carry = side.advance(carry, 0, iterations * per_iteration, True, True, 1)  # donates its input carry
    trained = iterations * per_iteration / (time.perf_counter() - t0)
    act = atari_unroll.act_program(algo.module, False)
    obs, keys = side.obs, carry.key
    _, obs, keys = atari_unroll.collect(side.envs, obs, act, carry.agent, keys, hp.unroll_length, seeds)
    t0 = time.perf_counter()
    for _ in range(iterations):
        _, obs, keys = atari_unroll.collect(side.envs, obs, act, carry.agent, keys, hp.unroll_length, seeds)
    plain = iterations * per_iteration / (time.perf_counter() - t0)
    return {"training": trained, "collection only": plain}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--game", default="Breakout")
    p.add_argument("--samples", type=int, default=16, help="N")
    p.add_argument("--update-batch", type=int, default=4)
    p.add_argument("--length", type=int, default=1000, help="rollout cap, agent steps")
    p.add_argument("--seeds", type=int, default=2, help="seeds of the training job")
    p.add_argument("--iterations", type=int, default=3, help="training iterations timed")
    args = p.parse_args()
    env = f"atari-{args.game}"
    algo = ALGORITHMS["ppo_atari"]
    hp = algo.make_config({})
    policy = purd.synthetic_policy(env, "spring", "ppo_atari", {}, 1)
    settings = purd.Settings(n=args.samples, batch_size=args.samples, update_batch=args.update_batch,
                             episode_length=args.length)
    print(f"{env}: N = {args.samples}, update_batch {args.update_batch}, cap {args.length} steps, "
          f"unroll {hp.num_envs} x {hp.unroll_length}; jax {jax.__version__} on {jax.devices()[0].platform}")
    purd.sample(policy, "ppo_atari", purd.Settings(n=args.samples, batch_size=args.samples,
                                                  update_batch=args.update_batch, episode_length=8))  # compiles
    fixed_s, fixed_steps = fixed_action_steps(env, args.samples, hp.num_envs, hp.unroll_length, args.length)
    spent: dict[str, float] = {}
    instrument(spent)
    ours_s, ours_steps = purd_case(policy, settings, spent)
    fixed_rate, ours_rate = fixed_steps / fixed_s, ours_steps / ours_s
    print(f"(f) fixed action: {fixed_steps} steps in {fixed_s:.1f} s = {fixed_rate:.0f} steps/s")
    print(f"(p) PURD:         {ours_steps} steps in {ours_s:.1f} s = {ours_rate:.0f} steps/s")
    print(f"ratio (p)/(f) = {ours_rate / fixed_rate:.2f} (goal >= 0.7)")
    moved = transfer_seconds(args.samples * hp.num_envs, hp.unroll_length)
    moved += transfer_seconds(args.samples, max(1, (ours_steps - args.samples * hp.num_envs * hp.unroll_length)
                                                // args.samples))
    shown = {**spent, "frames to the device (measured apart, inside the CNN calls)": moved}
    for name, seconds in shown.items():
        print(f"  {name:<58} {seconds:7.2f} s  {100 * seconds / ours_s:5.1f}%")
    ceiling = rollout_ceiling(policy, env, args.samples)
    print(f"(r) one rollout step of {args.samples} copies: "
          + ", ".join(f"{name} {1e3 * sec:.1f} ms" for name, sec in ceiling.items()))
    bound = ceiling["emulator"] / (ceiling["emulator"] + ceiling["forward, N distinct policies"])
    print(f"    ceiling of the rollout phase's ratio here: emulator / (emulator + forward) = {bound:.2f}")
    rates = training_cases(env, args.seeds, args.iterations, hp)
    print(f"training, {args.seeds} seeds x {hp.num_envs} envs: (t) {rates['training']:.0f} agent steps/s per seed, "
          f"(c) collection alone {rates['collection only']:.0f}; ratio {rates['training'] / rates['collection only']:.2f}")


if __name__ == "__main__":
    main()
