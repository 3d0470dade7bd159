"""Any Gymnasium environment as a host-stepped task: `gym-<id>` for a registered id, the user's own
included (README, "Add your own environment").

The config's `gym_modules` are imported before an id is looked up, in the planning process and in
every job (they register the user's ids: a module's `gymnasium.register(...)` lines run on import).
The jobs learn the list from an environment variable the workflow sets when it reads the config,
so that every process, a cluster node's included, imports the same modules. A module is found
where Python finds it, or in the working directory (the workflow directory: examples.cliff_runner).

What the studies need from an env, checked here once per id at planning (`requirements`):
- a registered id without a namespace (a `/` cannot be part of a file name);
- continuous actions, a 1-D `Box` with finite bounds (the learners' actions in [-1, 1] map onto them),
  and a flat `Box` observation for the MLP learners (td3, sac); or discrete actions (`Discrete`) and
  uint8 frames that fit the CNN of the discrete learner, ppo_atari (`frames_shape`), which plays
  them as it plays the ALE's games (envs/gym_frames.py);
- a reset that is deterministic from its seed (every PURD sample starts from the same state s_I):
  reset twice with one seed, the observations must be equal;
- optionally a snapshot for bitwise resumable training: MuJoCo's state where the env is MuJoCo-based,
  or the env's own `get_state()` (JSON values) and `set_state(state)`. Without one, a resumed
  training job restarts its copies' episodes (`Requirements.snapshot` is None).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import os
import sys

import numpy as np

from workflow_lib.core.errors import ConfigError, MissingSimulator, first_line

GYM_PREFIX = "gym-"  # the family's env names: gym-<id>
MODULES_VARIABLE = "RETURN_LANDSCAPES_GYM_MODULES"  # the config's gym_modules, comma-separated
EXTRA_HINT = "pip install -e '.[host]' in the workflow's venv (python3 do.py run/test install it when needed)"
RESET_PROBE_SEED = 12345
# The frames of a discrete env: 2-D frames are stacked 4 deep, as the ALE's (envs/atari.py); the
# Nature CNN's valid convolutions (8/4, 4/2, 3/1) need at least 36 pixels a side.
FRAME_STACK, MIN_FRAME_SIDE = 4, 36


def gymnasium():
    try:
        import gymnasium as gym
    except ImportError as err:
        raise MissingSimulator(f"gymnasium is not installed ({err}); {EXTRA_HINT}") from None
    return gym


def use_modules(modules: list[str]) -> None:
    """Import the user's modules here and make every job started from this process import them
    too (once all have imported); ConfigError naming the module and its own error, in one line,
    if one fails."""
    for i, module in enumerate(modules):
        try:
            _import(module)
        except Exception as err:  # the user's module: any error it raises is theirs to read
            raise ConfigError(f"config key 'gym_modules[{i}]': importing {module} failed: "
                              f"{type(err).__name__}: {first_line(err)}") from None
    os.environ[MODULES_VARIABLE] = ",".join(modules)


def import_user_modules() -> None:
    """Import the modules the workflow named (MODULES_VARIABLE), once per process."""
    for module in filter(None, os.environ.get(MODULES_VARIABLE, "").split(",")):
        _import(module)


@functools.lru_cache(maxsize=None)
def _import(module: str) -> None:
    if os.getcwd() not in sys.path:  # the workflow directory, where jobs run: examples.cliff_runner
        sys.path.append(os.getcwd())
    importlib.import_module(module)


def make(env_id: str):
    """The unwrapped env of a registered id (no time limit, no checker: episodes end at the
    caller's episode length, as every family's do)."""
    gym = gymnasium()
    import_user_modules()
    return gym.make(env_id, disable_env_checker=True).unwrapped


def snapshot_kind(env) -> str | None:
    """How a copy's state is saved: "mujoco" (the physics of a MuJoCo-based env), "own" (the env's
    get_state/set_state), or None (it cannot be: a resumed run restarts its episodes)."""
    model, data = getattr(env, "model", None), getattr(env, "data", None)
    if model is not None and type(model).__name__ == "MjModel" and type(data).__name__ == "MjData":
        return "mujoco"
    if callable(getattr(env, "get_state", None)) and callable(getattr(env, "set_state", None)):
        return "own"
    return None


@dataclasses.dataclass(frozen=True)
class Requirements:
    """What the studies learn about an id: its sizes, how its state is saved, and whether it is
    played from frames with discrete actions (by ppo_atari; observation_size is then the frames'
    shape, action_size the number of actions)."""

    observation_size: int | tuple[int, int, int]
    action_size: int
    snapshot: str | None
    frames: bool = False


@functools.lru_cache(maxsize=None)
def requirements(env_id: str) -> Requirements:
    """Check an id against what the studies need (module docstring); ValueError saying which
    requirement fails, in one line."""
    gym = gymnasium()
    import_user_modules()
    if "/" in env_id:
        raise ValueError(f"gym-{env_id}: a namespaced id cannot name files; register it without its namespace")
    try:
        gym.spec(env_id)
    except gym.error.Error as err:
        raise ValueError(f"gym-{env_id}: not a registered Gymnasium id ({first_line(err)}); register it in a "
                         f"module the config's gym_modules imports") from None
    env = make(env_id)
    spaces = gym.spaces
    act, obs = env.action_space, env.observation_space
    if isinstance(act, spaces.Discrete):
        shape = frames_shape(obs)
        if shape is None:
            raise ValueError(f"gym-{env_id}: its actions are discrete and its observation space {obs} does not fit the "
                             f"CNN of the discrete learner (ppo_atari): uint8 frames (H, W), 4 of them stacked, or "
                             f"(C, H, W) as they are, with H and W >= {MIN_FRAME_SIDE}")
        _check_reset(env_id, env)
        return Requirements(shape, int(act.n), snapshot_kind(env), frames=True)
    if not (isinstance(act, spaces.Box) and len(act.shape) == 1 and np.isfinite(act.low).all()
            and np.isfinite(act.high).all()):
        raise ValueError(f"gym-{env_id}: its action space {act} is not a 1-D Box with finite bounds, which the "
                         f"continuous learners (td3, sac) need")
    if not (isinstance(obs, spaces.Box) and len(obs.shape) == 1):
        raise ValueError(f"gym-{env_id}: its observation space {obs} is not a flat (1-D) Box, which the MLP "
                         f"learners need")
    _check_reset(env_id, env)
    return Requirements(int(obs.shape[0]), int(act.shape[0]), snapshot_kind(env))


def frames_shape(space) -> tuple[int, int, int] | None:
    """The stacked frames the discrete learner's CNN sees of an observation space: (4, H, W) for
    uint8 frames (H, W), which the copies stack as the ALE's (envs/gym_frames.py); (C, H, W) as it
    is; None where the space does not fit the CNN (H or W below MIN_FRAME_SIDE, another dtype or
    rank: a channels-last image (H, W, 3) is refused, its last side being 3)."""
    gym = gymnasium()
    if not (isinstance(space, gym.spaces.Box) and space.dtype == np.uint8 and len(space.shape) in (2, 3)):
        return None
    shape = (FRAME_STACK, *space.shape) if len(space.shape) == 2 else tuple(space.shape)
    return tuple(int(n) for n in shape) if min(shape[1:]) >= MIN_FRAME_SIDE else None


def _check_reset(env_id: str, env) -> None:
    first, second = (np.asarray(env.reset(seed=RESET_PROBE_SEED)[0]) for _ in range(2))
    if first.shape != second.shape or not np.array_equal(first, second):
        raise ValueError(f"gym-{env_id}: reset(seed={RESET_PROBE_SEED}) twice gave different observations; every "
                         f"PURD sample must start from the same state (seed the env's np_random in reset)")
