"""Agent steps per second on Breakout with random actions, 8 and 64 copies, for the ways to step
Atari copies from the host (workflow_lib/envs/atari.py chose the first):

  (a) ale-py's C++ vector (ALEVectorInterface: preprocessing in C++, worker threads), as
      AtariEnvs wraps it (one thread per usable CPU), and alone with one thread;
  (b) a Python list of ale_py.ALEInterface copies, preprocessing in numpy (frame skip 4, max of
      the last two grayscale frames, area resize to 84x84 as OpenCV's INTER_AREA, 4 stacked),
      batched over the copies where it can be;
  (c) envpool (its Atari envs), when it can be imported.

Each cell: agent steps per second, the best and the median of 3 timed runs (after 20 warm-up
steps), since other processes on a shared machine only slow a run down; and the CPU time per
agent step (all the process's threads; what a loaded machine changes least). Also the memory
each copy of (a) takes. Run:

    .venv/bin/python benchmarks/atari_simulators.py
    PYTHONPATH=/path/to/envpool/site .venv/bin/python benchmarks/atari_simulators.py   # with (c)
"""

import os
import statistics
import time

import numpy as np

import ale_py
from ale_py import roms

from workflow_lib.envs.atari import FRAME_SKIP, NOOP_MAX, AtariEnvs

ale_py.ALEInterface.setLoggerMode(ale_py.LoggerMode.Error)
ROM = str(roms.get_rom_path("breakout"))
BATCH_STEPS = {8: 400, 64: 60}  # about 3,000-4,000 agent steps a run


def area_taps(src, dst, taps=4):
    """OpenCV's INTER_AREA as gathers: each destination pixel's source pixels and shares."""
    scale, index, weight = src / dst, np.zeros((dst, taps), int), np.zeros((dst, taps), np.float32)
    for i in range(dst):
        lo, hi = i * scale, (i + 1) * scale
        for t, j in enumerate(range(int(lo), min(int(np.ceil(hi)), src))):
            index[i, t], weight[i, t] = j, (min(hi, j + 1) - max(lo, j)) / scale
    return index, weight


class PythonCopies:
    """Option (b): n ALEInterface copies stepped in a Python loop; reset no-ops from a numpy
    generator per copy; games restart when over."""

    def __init__(self, n):
        self.ales = []
        for _ in range(n):
            ale = ale_py.ALEInterface()
            ale.setFloat("repeat_action_probability", 0.0)
            ale.loadROM(ROM)
            self.ales.append(ale)
        self.actions = self.ales[0].getMinimalActionSet()
        self.raw = np.zeros((n, 2, 210, 160), np.uint8)
        self.stack = np.zeros((n, 4, 84, 84), np.uint8)
        (self.ri, self.rw), (self.ci, self.cw) = area_taps(210, 84), area_taps(160, 84)

    def _new_game(self, i, rng):
        ale = self.ales[i]
        ale.reset_game()
        ale.act(ale_py.Action.FIRE)
        for _ in range(rng.integers(0, NOOP_MAX - 1)):
            ale.act(ale_py.Action.NOOP)
        ale.getScreenGrayscale(self.raw[i, 0])
        self.raw[i, 1] = 0

    def _push(self):
        frames = np.maximum(self.raw[:, 0], self.raw[:, 1]).astype(np.float32)
        rows = (frames[:, self.ri] * self.rw[:, :, None]).sum(2)
        small = np.rint((rows[:, :, self.ci] * self.cw).sum(3)).astype(np.uint8)
        self.stack[:, :-1] = self.stack[:, 1:]
        self.stack[:, -1] = small
        return self.stack.copy()

    def reset(self, seeds):
        self.rngs = [np.random.default_rng(s) for s in seeds]
        for i, rng in enumerate(self.rngs):
            self._new_game(i, rng)
        return self._push()

    def step(self, actions):
        reward = np.zeros(len(self.ales), np.float32)
        for i, ale in enumerate(self.ales):
            action = self.actions[actions[i]]
            for left in range(FRAME_SKIP, 0, -1):
                reward[i] += ale.act(action)
                if ale.game_over():
                    break
                if left <= 2:
                    ale.getScreenGrayscale(self.raw[i, left - 1])
            if ale.game_over():
                self._new_game(i, self.rngs[i])
        return self._push(), reward


class CVector:
    """Option (a) without our wrapper: the C++ vector alone, `threads` worker threads."""

    def __init__(self, n, threads):
        self.vector = ale_py.ALEVectorInterface(ROM, n, num_threads=threads, autoreset_mode="SameStep",
                                                reward_clipping=False, repeat_action_probability=0.0)
        self.strength = np.ones(n, np.float32)

    def reset(self, seeds):
        return self.vector.reset(np.arange(len(seeds)), np.asarray(seeds))[0]

    def step(self, actions):
        self.vector.send(actions, self.strength)
        return self.vector.recv()


class Envpool:
    """Option (c): envpool's Breakout-v5, preprocessing as (a); seeded once, at construction."""

    def __init__(self, n):
        import envpool

        self.env = envpool.make("Breakout-v5", env_type="gymnasium", num_envs=n, seed=0, episodic_life=True,
                                reward_clip=True, repeat_action_probability=0.0, noop_max=NOOP_MAX)

    def reset(self, seeds):
        return self.env.reset()[0]

    def step(self, actions):
        return self.env.step(actions)


def steps_per_second(make, n):
    env = make(n)
    env.reset(list(range(n)))
    rng = np.random.default_rng(0)
    for actions in rng.integers(0, 4, (20, n)):
        env.step(actions)
    rates, costs = [], []
    for _ in range(3):
        plan = rng.integers(0, 4, (BATCH_STEPS[n], n))
        start, cpu = time.perf_counter(), time.process_time()  # process time: all its threads
        for actions in plan:
            env.step(actions)
        rates.append(plan.size / (time.perf_counter() - start))
        costs.append((time.process_time() - cpu) / plan.size * 1e6)
    return max(rates), statistics.median(rates), statistics.median(costs)


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main():
    cpus = len(os.sched_getaffinity(0))
    options = [
        (f"(a) AtariEnvs: ale-py C++ vector, {cpus} threads", lambda n: AtariEnvs("atari-Breakout", n, training=True)),
        ("(a) ale-py C++ vector alone, 1 thread", lambda n: CVector(n, 1)),
        ("(b) Python list of ALEInterface + numpy", PythonCopies),
    ]
    try:
        import envpool

        options.append((f"(c) envpool {envpool.__version__}, default threads", Envpool))
    except ImportError:
        print("(c) envpool: not importable here, left out")
    before = rss_mb()
    envs = AtariEnvs("atari-Breakout", 64, training=True)
    envs.reset(list(range(64)))
    per_copy = (rss_mb() - before) / 64
    del envs
    print(f"ale-py {ale_py.__version__}; {cpus} usable CPUs; load average before {os.getloadavg()[0]:.2f}; "
          f"{per_copy:.2f} MB per AtariEnvs copy (RSS of 64)\n")
    print("| option | 8 copies: steps/s best, median; CPU us/step | 64 copies: the same |")
    print("|---|---|---|")
    for label, make in options:
        cells = [f"{best:,.0f}, {median:,.0f}; {cost:,.0f}" for best, median, cost in
                 (steps_per_second(make, n) for n in (8, 64))]
        print(f"| {label} | {cells[0]} | {cells[1]} |")
    print(f"\nload average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
