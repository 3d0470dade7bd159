"""PURD rollouts on a host-stepped task (issue 19), in env-steps/s, all in one process:

  (a) the simulator alone: the N copies of the task (HostEnvs, made once as the engine makes
      them, families.host_copies) reset with one seed, then `--length` steps of zero actions
      for every copy, in one host loop
  (b) ours: purd.sample of a fresh TD3 agent (synthetic_policy, a random replay buffer) with
      n = batch_size = N: the N TD3 updates (one jitted program), then HostFamily.rollouts, one
      jitted vmapped policy call and one host step of the live copies per step

Goal: (b)/(a) >= 0.8. A rate counts the copy-steps actually stepped: N x length for (a) and for
a DM Control task (no termination: every rollout runs all its steps); the sum of the rollouts'
lengths for (b) on a task whose copies fall (gym-Hopper-v5: a fresh policy falls within tens of
steps, so (b) then steps fewer copies per step than (a) and pays the batch's policy call for them).

(c) the split of (b): a copy of HostFamily.rollouts' loop in one group, here in this script with timers around
the host step of the copies, the policy call (the jitted forward with np.asarray: dispatch, compute
and device_get) and the rest (masks, rewards bookkeeping), plus the params program (the N updates)
timed alone. Its total is checked against (b)'s; (b') is its rate without the params program, the
work a chunk does once whatever its rollouts' lengths (it dominates when they are short). Where
N >= 2 x families.OVERLAP_MIN_COPIES, (b) steps the copies in two halves, each half's policy call
dispatched as soon as it has stepped and computed while the other half steps: (c)'s policy share is
then what the overlap can hide.

(a') replays (c)'s recorded actions (and its live copies) in the simulator alone: (b)'s physics
without the policy (the physics' cost may depend on the actions: contacts of moving legs).

Compile time is excluded: every program is compiled before it is timed (the first purd.sample
call, compile included, is reported apart); then the cases take turns for --repeats rounds and each
reports its median.

  MUJOCO_GL=disable PYTHONPATH=. /tmp/v3/bin/python benchmarks/host_purd.py            # dmc-quadruped-walk, N = 50
  MUJOCO_GL=disable PYTHONPATH=. /tmp/v3/bin/python benchmarks/host_purd.py --env gym-Hopper-v5
  .venv/bin/python benchmarks/host_purd.py --env gym-CliffRunner-v0 --gym-modules examples.cliff_runner  # your own env
"""

from __future__ import annotations

import argparse
import os
import time

import jax
import numpy as np

from workflow_lib.agents.registry import ALGORITHMS
from workflow_lib.engine import families
from workflow_lib.envs.gym_envs import use_modules
from workflow_lib.studies import purd


def simulator_alone(env: str, n: int, length: int, seed: int = 0) -> tuple[int, float]:
    """(a): (copy-steps, seconds) of `length` zero-action steps of n copies reset with one seed."""
    copies = families.host_copies(env, n)
    zeros = np.zeros((n, copies.action_size), np.float32)
    t0 = time.perf_counter()
    copies.reset([seed] * n)
    for _ in range(length):
        copies.step(zeros)
    return n * length, time.perf_counter() - t0


def ours(policy: purd.Policy, settings: purd.Settings) -> tuple[int, float, dict]:
    """(b): (live copy-steps, seconds, samples) of one purd.sample call."""
    t0 = time.perf_counter()
    out = purd.sample(policy, "td3", settings)
    return int(out["length"].sum()), time.perf_counter() - t0, out


class Split:
    """(c): HostFamily.rollouts' loop in one group (no overlap of the policy calls with stepping)
    copied here with timers, and the params program alone."""

    def __init__(self, policy: purd.Policy, settings: purd.Settings):
        self.policy, self.settings = policy, settings
        self.learner = ALGORITHMS[policy.algo].module
        _, post, _ = purd.recipe(policy, "td3", settings)
        n = settings.batch_size
        self.build = jax.jit(lambda agent, fixed, items: post(self.learner, agent, fixed, items, 1))
        root = purd.root_key(policy.env, policy.algo, policy.seed, policy.step, "td3")
        self.fixed = jax.device_put((policy.agent, (purd.update_data(policy), root)))
        self.items = jax.device_put(np.arange(n, dtype=np.uint32))
        self.start = families.HOST.reference_state(policy.env, policy.backend)
        jax.block_until_ready(self.build(*self.fixed, self.items))  # compiled here, not in a timed call

    def __call__(self) -> dict:
        agent, fixed = self.fixed
        t_all = time.perf_counter()
        params = jax.block_until_ready(self.build(agent, fixed, self.items))
        t_build = time.perf_counter() - t_all
        n, length = len(jax.tree.leaves(params)[0]), self.settings.episode_length
        copies, act = families.host_copies(self.policy.env, n), families.host_policy(self.learner)
        t_sim = t_act = 0.0
        t0 = time.perf_counter()
        obs = copies.reset([int(self.start)] * n)
        t_reset = time.perf_counter() - t0
        rewards = np.zeros((n, length), np.float32)
        alive_before = np.zeros((n, length), bool)
        alive = np.ones(n, bool)
        steps, taken = 0, np.zeros((length, n, copies.action_size), np.float32)
        for t in range(length):
            if not alive.any():
                break
            t0 = time.perf_counter()
            actions = np.asarray(act(agent, params, obs))
            t1 = time.perf_counter()
            nxt, reward, terminal = copies.step(actions, alive)
            t2 = time.perf_counter()
            t_act, t_sim = t_act + t1 - t0, t_sim + t2 - t1
            taken[t] = actions
            rewards[:, t], alive_before[:, t] = np.where(alive, reward, 0.0), alive
            alive = alive & ~terminal
            obs = np.where(alive[:, None], nxt, obs)
            steps += 1
        out = {"return": rewards.sum(axis=1), "length": alive_before.sum(axis=1).astype(np.int32)}
        total = time.perf_counter() - t_all
        return {"total": total, "build": t_build, "reset": t_reset, "sim": t_sim, "act": t_act,
                "other": total - t_build - t_reset - t_sim - t_act, "steps": steps,
                "copy_steps": int(out["length"].sum()), "out": out, "actions": taken[:steps],
                "alive": alive_before[:, :steps]}


def simulator_replay(env: str, seed: int, actions: np.ndarray, alive: np.ndarray) -> tuple[int, float]:
    """(a'): (copy-steps, seconds) of the simulator alone replaying (c)'s actions on its live copies:
    the physics of (b) without the policy (moving legs make contacts that zero actions do not)."""
    copies = families.host_copies(env, alive.shape[0])
    t0 = time.perf_counter()
    copies.reset([seed] * alive.shape[0])
    for t in range(len(actions)):
        copies.step(actions[t], alive[:, t])
    return int(alive.sum()), time.perf_counter() - t0


def policy_dispatch(policy: purd.Policy, n: int, calls: int = 300) -> tuple[float, float, int]:
    """Seconds per call of the host policy with the whole agent passed (as the loop calls it) and
    with only the actor's apply closed over (params and obs the only inputs); the agent's leaves."""
    learner = ALGORITHMS[policy.algo].module
    agent = jax.device_put(policy.agent)
    params = jax.tree.map(lambda x: np.repeat(x[None], n, axis=0), learner.actor_params(policy.agent))
    params = jax.device_put(params)
    obs = np.zeros((n, families.host_copies(policy.env, n).observation_size), np.float32)
    full = families.host_policy(learner)
    lean = jax.jit(jax.vmap(lambda p, o: learner.policy(learner.with_actor_params(agent, p), o)))
    cases, out = ((full, (agent, params, obs)), (lean, (params, obs))), [0.0, 0.0]
    for fn, args in cases:
        np.asarray(fn(*args))
    for _ in range(calls):  # in turns: the same load on both
        for i, (fn, args) in enumerate(cases):
            t0 = time.perf_counter()
            np.asarray(fn(*args))
            out[i] += time.perf_counter() - t0
    return out[0] / calls, out[1] / calls, len(jax.tree.leaves(agent))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--env", default="dmc-quadruped-walk")
    p.add_argument("--n", type=int, default=50, help="N = batch_size: copies stepped together")
    p.add_argument("--length", type=int, default=1000, help="episode length")
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--buffer", type=int, default=10_000, help="random transitions in the synthetic agent's buffer")
    p.add_argument("--gym-modules", nargs="*", default=[],
                   help="modules registering a user's own Gymnasium ids, as the config's gym_modules")
    args = p.parse_args()
    use_modules(args.gym_modules)

    t0 = time.perf_counter()
    families.host_copies(args.env, args.n)
    made = time.perf_counter() - t0
    policy = purd.synthetic_policy(args.env, "spring", "td3", {}, args.buffer)
    settings = purd.Settings(n=args.n, batch_size=args.n, episode_length=args.length)
    split = Split(policy, settings)

    copy_steps, first, first_out = ours(policy, settings)  # compiles the params program and the policy
    simulator_alone(args.env, args.n, 10)
    print(f"{args.env}: N = {args.n}, length {args.length}; {args.n} copies made in {made:.1f} s; first purd.sample "
          f"(compile included) {first:.2f} s; mean length {first_out['length'].mean():.0f}, "
          f"mean return {first_out['return'].mean():.1f}", flush=True)

    base, mine, parts, replay = [], [], [], []
    for r in range(args.repeats):
        base.append(simulator_alone(args.env, args.n, args.length))
        mine.append(ours(policy, settings)[:2])
        parts.append(split())
        replay.append(simulator_replay(args.env, int(split.start), parts[-1]["actions"], parts[-1]["alive"]))
        print(f"  round {r + 1}: (a) {base[-1][0] / base[-1][1]:,.0f}  (a') {replay[-1][0] / replay[-1][1]:,.0f}  "
              f"(b) {mine[-1][0] / mine[-1][1]:,.0f}  (c) {parts[-1]['copy_steps'] / parts[-1]['total']:,.0f} "
              f"copy-steps/s  (load {os.getloadavg()[0]:.2f})", flush=True)
    full_call, lean_call, leaves = policy_dispatch(policy, args.n)

    # The copy of the loop computes what the library computes.
    same = np.array_equal(parts[-1]["out"]["return"], first_out["return"]) and np.array_equal(
        parts[-1]["out"]["length"], first_out["length"])
    a_steps, a_s = base[0][0], float(np.median([s for _, s in base]))
    b_steps, b_s = mine[0][0], float(np.median([s for _, s in mine]))
    r_steps, r_s = replay[0][0], float(np.median([s for _, s in replay]))
    rate_a, rate_b, rate_r = a_steps / a_s, b_steps / b_s, r_steps / r_s
    med = {k: float(np.median([x[k] for x in parts])) for k in ("total", "build", "reset", "sim", "act", "other")}
    steps = parts[-1]["steps"]

    print(f"\n{args.env}, N = {args.n}, episode length {args.length}, median of {args.repeats} rounds "
          f"({jax.default_backend()}, {os.cpu_count()} cores)\n")
    print("| case | copy-steps | seconds | copy-steps/s |")
    print("|---|---|---|---|")
    print(f"| (a) simulator alone, zero actions | {a_steps:,} | {a_s:.2f} | {rate_a:,.0f} |")
    print(f"| (b) purd.sample, TD3 updates + rollouts | {b_steps:,} | {b_s:.2f} | {rate_b:,.0f} |")
    print(f"| **ratio (b)/(a)** (goal >= 0.8) | | | **{rate_b / rate_a:.2f}** |")
    roll_s = med["total"] - med["build"]
    print(f"| (b') rollouts alone: (c) less its params program | {b_steps:,} | {roll_s:.2f} | "
          f"{b_steps / roll_s:,.0f} |")
    print(f"| ratio (b')/(a) | | | {b_steps / roll_s / rate_a:.2f} |")
    print(f"| (a') simulator alone, replaying (c)'s actions on its live copies | {r_steps:,} | {r_s:.2f} | "
          f"{rate_r:,.0f} |")
    print(f"| ratio (b)/(a'), (b')/(a') | | | {rate_b / rate_r:.2f}, {b_steps / roll_s / rate_r:.2f} |")

    print(f"\n(c) the split of (b), a timed copy of HostFamily.rollouts' loop ({steps} batch steps; returns "
          f"{'equal to' if same else 'DIFFERENT from'} purd.sample's):\n")
    print("| part | seconds | share | per batch step |")
    print("|---|---|---|---|")
    for key, name in (("build", "params program (N TD3 updates)"), ("reset", "reset of the N copies"),
                      ("sim", "simulator step of the live copies"),
                      ("act", "policy call (jitted vmapped forward + np.asarray)"),
                      ("other", "other (masks, rewards, loop)")):
        per = f"{1e3 * med[key] / steps:.3f} ms" if key in ("sim", "act", "other") else ""
        print(f"| {name} | {med[key]:.3f} | {med[key] / med['total']:.1%} | {per} |")
    print(f"| total (vs (b): {b_s:.2f} s) | {med['total']:.2f} | 100% | {1e3 * med['total'] / steps:.3f} ms |")
    print(f"\npolicy call alone, batch {args.n}, in turns: {1e6 * full_call:.0f} us with the whole agent passed "
          f"({leaves} leaves, as the loop calls it), {1e6 * lean_call:.0f} us with only the actor parameters and "
          f"obs as inputs")


if __name__ == "__main__":
    main()
