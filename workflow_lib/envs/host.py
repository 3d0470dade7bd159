"""Host-stepped simulators: DeepMind Control Suite tasks (dm_control) and Gymnasium's MuJoCo tasks,
as vectors of copies stepped from Python, one call per step for the whole batch.

Names carry their family where it is not Brax: `dmc-<domain>-<task>` (dmc-quadruped-walk) and
`gym-<id>` (gym-Hopper-v5), and `atari-<Game>` for the ALE's games (a family of its own,
envs/atari.py, whose names and sizes this module dispatches); no "/" so that a name is a file
name and a rule name as it stands.
Observations are float32 vectors (DM Control's dict flattened in sorted key order); actions come
in [-1, 1], as every policy here emits them. Gymnasium's tasks map them linearly onto the task's
bounds (SB3's and CleanRL's convention); a DM Control task takes them as they are, clamped to its
actuators' ranges as MuJoCo clamps controls (the authors' code: docs/protocol.md, "DM Control"),
or mapped linearly (`host.dmc_actions: scale`). The mapping travels as the run's backend.
Episodes have no time limit of their own here: the caller stops at its episode length (1000 for
the paper's tasks, DM Control's and Gymnasium's own limit), as it does for Brax.

The simulators are optional packages (the `host` extra: dm_control, gymnasium[mujoco]); they
are imported when a copy is first made, so the rest of the library works without them.
"""

from __future__ import annotations

import functools
import os
import zlib
from typing import Sequence

import numpy as np

from workflow_lib.core.errors import MissingSimulator
from workflow_lib.envs.gym_envs import EXTRA_HINT, GYM_PREFIX  # the `host` extra's hint: one text for both simulators

FAMILY_PREFIXES = {"dmc": "dmc-", "gym": GYM_PREFIX, "atari": "atari-"}  # atari: envs/atari.py
# DM Control Suite's benchmarking tasks (dm_control.suite.BENCHMARKING) and the quadruped tasks the
# paper studies (Figures 14-15), as domain-task.
DMC_TASKS = (
    "acrobot-swingup", "acrobot-swingup_sparse", "ball_in_cup-catch", "cartpole-balance", "cartpole-balance_sparse",
    "cartpole-swingup", "cartpole-swingup_sparse", "cheetah-run", "finger-spin", "finger-turn_easy",
    "finger-turn_hard", "fish-swim", "fish-upright", "hopper-hop", "hopper-stand", "humanoid-run", "humanoid-stand",
    "humanoid-walk", "manipulator-bring_ball", "pendulum-swingup", "point_mass-easy", "quadruped-escape",
    "quadruped-fetch", "quadruped-run", "quadruped-walk", "reacher-easy", "reacher-hard", "swimmer-swimmer15",
    "swimmer-swimmer6", "walker-run", "walker-stand", "walker-walk",
)
# Gymnasium's MuJoCo tasks (version 5).
GYM_TASKS = (
    "Ant-v5", "HalfCheetah-v5", "Hopper-v5", "Humanoid-v5", "HumanoidStandup-v5", "InvertedDoublePendulum-v5",
    "InvertedPendulum-v5", "Pusher-v5", "Reacher-v5", "Swimmer-v5", "Walker2d-v5",
)
HOST_ENVS = tuple(f"dmc-{t}" for t in DMC_TASKS) + tuple(f"gym-{t}" for t in GYM_TASKS)


DMC_ACTIONS = ("clip", "scale")  # host.dmc_actions; a DM Control run's backend


def action_mapping(name: str, backend: str) -> str:
    """How a host-stepped task takes the policy's [-1, 1] actions: "clip" (as they are, clamped to
    the bounds) for a DM Control run whose backend says so, else "scale" (linearly onto the
    bounds; a DM Control checkpoint of backend "none", made before the choice existed, scaled)."""
    return "clip" if host_family(name) == "dmc" and backend == "clip" else "scale"


def host_family(name: str) -> str | None:
    """'dmc', 'gym' or 'atari' for a host-stepped env name (known task or not), None for any other
    name."""
    return next((fam for fam, prefix in FAMILY_PREFIXES.items() if name.startswith(prefix)), None)


def plays_frames(name: str) -> bool:
    """Whether an env is played from frames with discrete actions, by the discrete learner
    (ppo_atari) and the Atari study: an ALE game, or a Gymnasium id of the user's whose
    requirements say so (envs/gym_frames.py)."""
    family = host_family(name)
    if family == "gym":
        from workflow_lib.envs.gym_envs import requirements

        return requirements(name[len(FAMILY_PREFIXES[family]):]).frames
    return family == "atari"


def split_host_env(name: str) -> tuple[str, str]:
    """(family, task) of a host-stepped env name: dmc-quadruped-walk -> ('dmc', 'quadruped-walk');
    ValueError naming the known tasks if there is no such task."""
    family = host_family(name)
    task = name[len(FAMILY_PREFIXES[family]):]
    if family == "atari":
        from workflow_lib.envs.atari import atari_game  # the ALE's games; atari.py says what they need

        return family, atari_game(name)
    if family == "gym":  # any registered id that meets the studies' requirements (envs/gym_envs.py)
        from workflow_lib.envs.gym_envs import requirements

        requirements(task)
        return family, task
    if task not in DMC_TASKS:
        raise ValueError(f"unknown {family} task {name!r}; known: {', '.join(FAMILY_PREFIXES[family] + t for t in DMC_TASKS)}")
    return family, task



def copy_seed(*parts: object) -> int:
    """A 32-bit simulator seed from names and numbers (a training copy's own random stream)."""
    return zlib.crc32("/".join(map(str, parts)).encode())


def physics_state(model, data) -> list[float]:
    """MuJoCo's whole integration state (time, qpos, qvel, act, warm start, controls, ...), the
    part of mjData that the next step reads, as a plain list (JSON keeps float64 exactly)."""
    import mujoco

    spec = mujoco.mjtState.mjSTATE_INTEGRATION
    state = np.empty(mujoco.mj_stateSize(model, spec))
    mujoco.mj_getState(model, data, state, spec)
    return state.tolist()


def set_physics_state(model, data, values: list[float]) -> None:
    """Restore physics_state's values, and the quantities MuJoCo derives from them (mj_forward)."""
    import mujoco

    mujoco.mj_setState(model, data, np.asarray(values, np.float64), mujoco.mjtState.mjSTATE_INTEGRATION)
    mujoco.mj_forward(model, data)


class _DmcCopy:
    """One DM Control task: its own RandomState (reseeded to reset it to a given start)."""

    def __init__(self, task: str):
        os.environ.setdefault("MUJOCO_GL", "disable")  # never rendered here: no OpenGL backend search
        try:
            from dm_control import suite
        except ImportError as err:
            raise MissingSimulator(f"dm_control is not installed ({err}); {EXTRA_HINT}") from None
        domain, name = task.split("-", 1)
        # No time limit of the env's own: the caller ends episodes at its episode length.
        self.env = suite.load(domain, name, task_kwargs={"random": 0, "time_limit": float("inf")})
        spec = self.env.action_spec()
        self.low, self.high = np.asarray(spec.minimum, np.float64), np.asarray(spec.maximum, np.float64)
        self.keys = sorted(self.env.observation_spec())

    def _flat(self, observation) -> np.ndarray:
        return np.concatenate([np.asarray(observation[k], np.float32).ravel() for k in self.keys])

    def reset(self, seed: int | None) -> np.ndarray:
        if seed is not None:
            self.env.task.random.seed(seed)  # in place: the task draws its start state from it
        return self._flat(self.env.reset().observation)

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool]:
        ts = self.env.step(action)
        return self._flat(ts.observation), float(ts.reward), bool(ts.last() and ts.discount == 0.0)

    def qpos(self) -> np.ndarray:
        return np.array(self.env.physics.data.qpos, np.float32)

    def get_state(self) -> dict:
        random = self.env.task.random.get_state()
        return {"physics": physics_state(self.env.physics.model.ptr, self.env.physics.data.ptr),
                "random": [random[0], random[1].tolist(), *random[2:]]}

    def set_state(self, state: dict) -> None:
        self.env.reset()  # the environment's own flags (a new episode has begun)
        set_physics_state(self.env.physics.model.ptr, self.env.physics.data.ptr, state["physics"])
        name, keys, *rest = state["random"]
        self.env.task.random.set_state((name, np.asarray(keys, np.uint32), *rest))


class _GymCopy:
    """One Gymnasium task, unwrapped (no time limit, no checker): reset with a seed reseeds its
    generator, without one it continues it. Its snapshot is MuJoCo's state, or the env's own, or
    none: set_state then starts a new episode from the saved random stream (envs/gym_envs.py)."""

    def __init__(self, task: str):
        from workflow_lib.envs import gym_envs

        self.env = gym_envs.make(task)
        self.snapshot = gym_envs.snapshot_kind(self.env)
        self.low = np.asarray(self.env.action_space.low, np.float64)
        self.high = np.asarray(self.env.action_space.high, np.float64)

    def reset(self, seed: int | None) -> np.ndarray:
        self.last = np.asarray(self.env.reset(seed=seed)[0], np.float32)
        return self.last

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool]:
        obs, reward, terminated, _, _ = self.env.step(action)
        self.last = np.asarray(obs, np.float32)
        return self.last, float(reward), bool(terminated)

    def qpos(self) -> np.ndarray:
        """The coordinates the failures study records: MuJoCo's qpos, or for an env without
        MuJoCo its observation."""
        return np.array(self.env.data.qpos if self.snapshot == "mujoco" else self.last, np.float32)

    def get_state(self) -> dict:
        if self.snapshot == "mujoco":
            own = physics_state(self.env.model, self.env.data)
        else:
            own = self.env.get_state() if self.snapshot == "own" else None
        return {"physics": own, "random": self.env.np_random.bit_generator.state}

    def set_state(self, state: dict) -> np.ndarray | None:
        """Continue from get_state's values; where there is no snapshot, the observation of the
        new episode begun instead."""
        self.env.reset(seed=0)  # creates the generator, whose state is set next
        self.env.np_random.bit_generator.state = state["random"]
        if state["physics"] is None:
            return self.reset(None)
        if self.snapshot == "mujoco":
            set_physics_state(self.env.model, self.env.data, state["physics"])
        else:
            self.env.set_state(state["physics"])
        return None


class HostEnvs:
    """`n` copies of one host-stepped task. Actions in [-1, 1] map linearly onto the task's bounds
    (actions "scale") or go as they are, clamped to them ("clip"; module docstring)."""

    def __init__(self, name: str, n: int, actions: str = "scale"):
        if actions not in DMC_ACTIONS:
            raise ValueError(f"unknown action mapping {actions!r}; expected one of {DMC_ACTIONS}")
        family, task = split_host_env(name)
        if plays_frames(name):  # stepped by envs/gym_frames.py, with discrete actions
            raise ValueError(f"{name} is played from frames with discrete actions (gym_frames.frame_copies)")
        make = _DmcCopy if family == "dmc" else _GymCopy
        self.name, self.copies = name, [make(task) for _ in range(n)]
        first = self.copies[0]
        self.action_size = len(first.low)
        self.observation_size = len(first.reset(0))
        self._scale, self._shift = (first.high - first.low) / 2, (first.high + first.low) / 2
        self._low, self._high, self.actions = first.low, first.high, actions

    def __len__(self) -> int:
        return len(self.copies)

    def reset(self, seeds: Sequence[int | None]) -> np.ndarray:
        """Every copy reset, copy i with seeds[i] (None: from its own random stream): (n, obs)."""
        return np.stack([c.reset(s) for c, s in zip(self.copies, seeds, strict=True)])

    def reset_one(self, i: int, seed: int | None = None) -> np.ndarray:
        return self.copies[i].reset(seed)

    def step(self, actions: np.ndarray, active: np.ndarray | None = None):
        """Step the copies where `active` (all by default) with actions in [-1, 1]: (obs, reward,
        terminal), each with a leading copy axis; an inactive copy gets zeros for its observation,
        reward 0 and terminal False."""
        actions = np.clip(np.asarray(actions, np.float64), -1.0, 1.0)
        if self.actions == "clip":
            actions = np.clip(actions, self._low, self._high)
        else:
            actions = actions * self._scale + self._shift
        n = len(self.copies)
        obs = np.zeros((n, self.observation_size), np.float32)
        reward, terminal = np.zeros(n, np.float32), np.zeros(n, bool)
        for i, copy in enumerate(self.copies):
            if active is None or active[i]:
                obs[i], reward[i], terminal[i] = copy.step(actions[i])
        return obs, reward, terminal

    def qpos(self) -> np.ndarray:
        return np.stack([c.qpos() for c in self.copies])

    def get_state(self) -> list[dict]:
        """Every copy's simulator state and random stream, as JSON values (a training snapshot):
        set_state on copies of the same task continues them to the same bits."""
        return [c.get_state() for c in self.copies]

    def set_state(self, states: list[dict]) -> list[np.ndarray | None]:
        """Continue every copy from get_state's values; per copy None, or the first observation of
        the episode it began instead where its task has no snapshot (a Gymnasium env of its own)."""
        return [copy.set_state(state) for copy, state in zip(self.copies, states, strict=True)]


@functools.lru_cache(maxsize=16)
def env_sizes(name: str) -> tuple[int | tuple[int, ...], int]:
    """(observation size, action size) of a host-stepped task (makes one copy); an Atari game's
    observation is a shape (stacked frames) and its action size the number of its actions, as
    are a discrete Gymnasium env's."""
    if plays_frames(name):
        from workflow_lib.envs.gym_frames import frame_sizes

        return frame_sizes(name)
    env = HostEnvs(name, 1)
    return env.observation_size, env.action_size
