"""TD3 training on a host-stepped task vs a Brax task (issue 19), in seed-updates/s, one job of
--seeds seeds each, in one process:

  (a) ours on DM Control: Trainer on dmc-quadruped-walk (obs 78, action 12), the host loop of
      training/host_loop.py: per env step, one host step of the seeds' copies, then one jitted
      call that stores the seeds' transitions, updates each seed once and returns the next actions
  (b) the same learner on Brax: Trainer on ant/spring (obs 27, action 8: the Brax task nearest in
      size; humanoid's 244/17 is larger, halfcheetah's 17/6 smaller), the whole chunk one jitted
      scan with the env inside

Both: TD3 with its default settings (256x256, batch 256), the replay buffer sized for a job of
--capacity steps (config.yaml's TD3 length: the capacity is what a workflow job allocates; the
job only runs the steps below), --warmup uniform steps, then one learning chunk of --chunk steps
(compiles), then --chunks timed chunks of --chunk steps, the two jobs taking turns (any other
load on the machine falls on both alike), each chunk timed with its carry ready
(Trainer.chunk called here, as benchmarks/learning.py does: Trainer.run would add its
evaluation rollouts at every chunk). A rate is seeds x steps / seconds (median chunk).

(c) the split of (a): a copy of HostTraining.advance's loop, in this script, with timers around
the host step of the copies (envs.step), the host bookkeeping (episode counters, the transition,
resets), the jitted step program (the call, which takes the transition and observations as
numpy arguments and moves them to the device, then the wait for its results: on the CPU most of
the work is done before the call returns), and the transfer back (np.asarray of the actions);
the transfer to the device is timed apart, as the arguments of a trivial jitted call.
Then (d): the same step program called back to back on the device with one fixed transition:
the rate the host loop could reach if the host cost nothing, at the DM Control task's sizes and
at the Brax task's (the update's cost grows with the networks' input sizes: the two learners
do not do the same work per update).

  MUJOCO_GL=disable PYTHONPATH=. /tmp/v3/bin/python benchmarks/host_training.py
  MUJOCO_GL=disable PYTHONPATH=. /tmp/v3/bin/python benchmarks/host_training.py --chunks 2 --chunk 100   # quick
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time

import jax
import numpy as np

from workflow_lib.envs.carry import Transition
from workflow_lib.envs.host import env_sizes
from workflow_lib.training.host_loop import HostTraining, host_carry_init, step_program
from workflow_lib.training.job import TrainJob
from workflow_lib.training.trainer import Trainer


class Job:
    """One job's Trainer at the start of learning: initial carry, the warm-up chunk and a first
    learning chunk (compiles) done; then timed learning chunks, one per call."""

    def __init__(self, env: str, backend: str, seeds: tuple[int, ...], args, work: str):
        self.name, self.seeds, self.steps, self.times = f"{env}/{backend}", seeds, args.chunk, []
        job = TrainJob(env, backend, "td3", seeds, args.capacity, (args.capacity,), {}, warmup_steps=args.warmup,
                       log_every=args.chunk)
        self.trainer = Trainer(job, work, logging.getLogger("bench"))
        t0 = time.perf_counter()
        self.carry = jax.block_until_ready(self.trainer.initial_carry())
        t1 = time.perf_counter()
        self.carry, _ = self.trainer.chunk(args.warmup, False)(self.carry)
        jax.block_until_ready(self.carry)
        t2 = time.perf_counter()
        self.carry, _ = self.trainer.chunk(args.chunk, True)(self.carry)
        jax.block_until_ready(self.carry)
        self.first_s = time.perf_counter() - t2
        print(f"  {self.name}: init {t1 - t0:.1f} s, warm-up chunk {t2 - t1:.1f} s, first learning chunk "
              f"(compile) {self.first_s:.1f} s", flush=True)

    def timed_chunk(self) -> float:
        t0 = time.perf_counter()
        self.carry, _ = self.trainer.chunk(self.steps, True)(self.carry)
        jax.block_until_ready(self.carry)
        self.times.append(time.perf_counter() - t0)
        return len(self.seeds) * self.steps / self.times[-1]

    @property
    def rate(self) -> float:
        """Seed-updates/s of the median timed chunk."""
        return len(self.seeds) * self.steps / float(np.median(self.times))


def split_advance(side: HostTraining, carry, start: int, end: int, delay: int):
    """HostTraining.advance(carry, start, end, learn=True, next_learn=True, delay) copied with
    timers (the actions of the last call already chosen, as between two chunks)."""
    size, tm = side.envs.action_size, dict.fromkeys(("d2h", "sim", "book", "dispatch", "compute"), 0.0)
    t_all = time.perf_counter()
    for step in range(start, end):
        t0 = time.perf_counter()
        actions = np.asarray(side.actions)
        t1 = time.perf_counter()
        next_obs, reward, terminal = side.envs.step(actions)
        t2 = time.perf_counter()
        side.t += 1
        truncated = (side.t >= side.episode_length) & ~terminal
        side.episode_return += reward
        trans = Transition(side.obs, np.asarray(actions, np.float32), reward, next_obs,
                           terminal.astype(np.float32), truncated.astype(np.float32))
        obs = next_obs.copy()
        for i in np.flatnonzero(terminal | truncated):
            side.last_return[i], side.episode_return[i], side.t[i] = side.episode_return[i], 0.0, 0
            obs[i] = side.envs.reset_one(i)
        program = step_program(side.algo, size, True, step % delay == delay - 1, True)
        t4 = time.perf_counter()
        carry, side.actions, metrics = program(carry, trans, obs)  # numpy arguments: moved by the call
        t5 = time.perf_counter()
        side.actions.block_until_ready()
        t6 = time.perf_counter()
        side.metrics, side.obs = metrics or side.metrics, obs
        for k, a, b in (("d2h", t0, t1), ("sim", t1, t2), ("book", t2, t4), ("dispatch", t4, t5), ("compute", t5, t6)):
            tm[k] += b - a
    tm["total"] = time.perf_counter() - t_all
    tm["loop"] = tm["total"] - sum(v for k, v in tm.items() if k != "total")
    return carry, tm


def transfers(side: HostTraining, calls: int = 300) -> tuple[float, float]:
    """Seconds per step of moving one step's arrays (the transition and obs) to the device: as
    arguments of a jitted call (as the loop passes them; a trivial program) and by device_put."""
    n, size = len(side.envs), side.envs.action_size
    shapes = ((n, side.envs.observation_size), (n, size), (n,), (n, side.envs.observation_size), (n,), (n,),
              (n, side.envs.observation_size))
    arrays = tuple(np.zeros(shape, np.float32) for shape in shapes)
    trivial = jax.jit(lambda *a: sum(x.sum() for x in a))  # every argument used: none is pruned
    trivial(*arrays).block_until_ready()
    out = [0.0, 0.0]
    for _ in range(calls):
        t0 = time.perf_counter()
        trivial(*arrays).block_until_ready()
        t1 = time.perf_counter()
        jax.block_until_ready(jax.device_put(arrays))
        t2 = time.perf_counter()
        out[0], out[1] = out[0] + t1 - t0, out[1] + t2 - t1
    return out[0] / calls, out[1] / calls


def program_alone(trainer: Trainer, obs_size: int, action_size: int, calls: int) -> float:
    """The host loop's step program back to back on the device, on a fresh carry of the trainer's
    seeds and capacity and one fixed transition (zeros), for a task of the given sizes: seconds
    per call (the first 2 * policy_delay calls, compiling, not timed)."""
    algo, hp, n, delay = trainer.algo, trainer.hp, len(trainer.job.seeds), trainer.hp.policy_delay
    keys = jax.random.split(jax.random.key(0), n)
    carry = jax.jit(jax.vmap(lambda k: host_carry_init(algo, obs_size, action_size, hp, k, trainer.capacity)))(keys)
    obs = np.zeros((n, obs_size), np.float32)
    zeros = np.zeros(n, np.float32)
    trans = jax.device_put(Transition(obs, np.zeros((n, action_size), np.float32), zeros, obs, zeros, zeros))
    obs = jax.device_put(obs)
    programs = [step_program(algo, action_size, True, i % delay == delay - 1, True) for i in range(delay)]
    for i in range(2 * delay):
        carry, actions, _ = programs[i % delay](carry, trans, obs)
    actions.block_until_ready()
    t0 = time.perf_counter()
    for i in range(calls):
        carry, actions, _ = programs[i % delay](carry, trans, obs)
    actions.block_until_ready()
    return (time.perf_counter() - t0) / calls


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--env", default="dmc-quadruped-walk")
    p.add_argument("--brax-env", default="ant")
    p.add_argument("--backend", default="spring")
    p.add_argument("--seeds", type=int, default=2, help="seeds per job (both sides)")
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--chunk", type=int, default=200)
    p.add_argument("--chunks", type=int, default=3, help="timed chunks after the compiling one")
    p.add_argument("--split-steps", type=int, default=300)
    p.add_argument("--capacity", type=int, default=50_000, help="replay capacity: the job's total_steps")
    args = p.parse_args()
    seeds = tuple(range(args.seeds))

    with tempfile.TemporaryDirectory() as work:
        host = Job(args.env, "spring", seeds, args, work)
        brax = Job(args.brax_env, args.backend, seeds, args, work)
        for r in range(args.chunks):  # the two take turns: the same load for both
            print(f"  chunk {r + 1}: {host.name} {host.timed_chunk():.1f}, {brax.name} {brax.timed_chunk():.1f} "
                  f"seed-updates/s (load {os.getloadavg()[0]:.2f})", flush=True)
        brax.carry = None
        side, delay, carry = host.trainer.host_side, host.trainer.hp.policy_delay, host.carry
        step = int(carry.steps[0])
        carry, tm = split_advance(side, carry, step, step + args.split_steps, delay)
        as_args, put = transfers(side)
        del carry
        host.carry = None
        peer_env = brax.trainer.env
        sizes = {"host": env_sizes(args.env), "brax": (peer_env.observation_size, peer_env.action_size)}
        alone = {k: program_alone(host.trainer, *v, args.split_steps) for k, v in sizes.items()}

    n, k = args.split_steps, args.seeds
    split_rate = k * n / tm["total"]
    print(f"\nTD3, {k} seeds per job, replay capacity {args.capacity:,}, {args.warmup} warm-up steps, median of "
          f"{args.chunks} chunks of {args.chunk} steps ({jax.default_backend()}, {os.cpu_count()} cores)\n")
    print("| job | seed-updates/s | first learning chunk (compile) |")
    print("|---|---|---|")
    print(f"| (a) {args.env} (host loop) | {host.rate:.1f} | {host.first_s:.1f} s |")
    print(f"| (b) {args.brax_env}/{args.backend} (Brax, jitted chunk) | {brax.rate:.1f} | {brax.first_s:.1f} s |")
    print(f"| **ratio (a)/(b)** | **{host.rate / brax.rate:.2f}** | |")

    print(f"\n(c) the split of (a), a timed copy of HostTraining.advance's loop, {n} steps of {k} seeds "
          f"({split_rate:.1f} seed-updates/s with the timers' waits):\n")
    print("| part | ms per env step | share |")
    print("|---|---|---|")
    for key, name in (("sim", f"simulator: envs.step of the {k} copies"),
                      ("book", "host bookkeeping (counters, Transition, resets)"),
                      ("dispatch", "step program (store, an update per seed, next actions): the call, "
                                   "with the transition and obs as numpy arguments"),
                      ("compute", "step program: waiting for its results after the call"),
                      ("d2h", "device to host: np.asarray(actions)"),
                      ("loop", "rest of the loop (timers)")):
        print(f"| {name} | {1e3 * tm[key] / n:.3f} | {tm[key] / tm['total']:.1%} |")
    print(f"| total | {1e3 * tm['total'] / n:.3f} | 100% |")
    print(f"\nHost to device, one step's transition and obs (7 arrays): {1e6 * as_args:.0f} us as the arguments of a "
          f"trivial jitted call, waited for (how the loop passes them: inside the call's row above); "
          f"{1e6 * put:.0f} us by jax.device_put, waited for.")
    (ho, ha), (bo, ba) = sizes["host"], sizes["brax"]
    print("\n(d) the host loop's step program alone, back to back on the device, fresh carry, zero transition "
          "(the host loop's ceiling, without simulator or transfers), at each task's sizes:\n")
    print("| sizes (obs, action) | ms per call | seed-updates/s | the job's rate / this |")
    print("|---|---|---|---|")
    print(f"| {args.env} ({ho}, {ha}) | {1e3 * alone['host']:.3f} | {k / alone['host']:.1f} | "
          f"(a) {host.rate * alone['host'] / k:.2f} |")
    print(f"| {args.brax_env} ({bo}, {ba}) | {1e3 * alone['brax']:.3f} | {k / alone['brax']:.1f} | "
          f"(b) {brax.rate * alone['brax'] / k:.2f} (with the Brax physics inside) |")

if __name__ == "__main__":
    main()
