"""A user's Gymnasium env with discrete actions and image observations, played by the discrete
learner (ppo_atari) as it plays the ALE's games: `GymFrames` has AtariEnvs' interface and modes,
and `frame_copies` makes the copies of either kind for the Atari study's code (training,
post-update unrolls, evaluation).

What carries over from the ALE's protocol (docs/protocol.md, "Atari"), and what cannot:
- frames: 2-D uint8 frames are stacked 4 deep on the first axis, an episode's first frame filling
  the stack; 3-D (C, H, W) observations are taken as they are (envs/gym_envs.frames_shape);
- training: rewards clipped to their sign (the learner's settings assume it), an episode that ends
  (terminated, truncated, or past the id's registered max_episode_steps) is terminal and restarts
  at once from the copy's own random stream, its raw return in `finished_returns`;
- evaluation, `clipped_horizon` (the authors' return): nothing is terminal; the reward is the
  raw one's sign, except 0 on a step that ends an episode and on the step after it, a reset step
  that starts the next episode and ignores the action; `game_score`: the raw return of one
  episode, terminal where it ends;
- the ALE's own parts have no counterpart: no lives (so no episodic life), no frame skip or
  max-pooling, no random no-ops at reset (the env's reset, seeded, is its start);
- a copy is seeded at its first reset; later episodes continue the env's own stream.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from workflow_lib.envs import gym_envs
from workflow_lib.envs.atari import SEED_RANGE, checked_actions, checked_seeds  # no ale-py import at module level
from workflow_lib.envs.gym_envs import GYM_PREFIX


class GymFrames:
    """`n` copies of a registered Gymnasium id with discrete actions and frames (module docstring);
    training, clipped_horizon and the methods mean what they mean for AtariEnvs."""

    def __init__(self, name: str, n: int, training: bool, clipped_horizon: bool = False):
        if clipped_horizon and training:
            raise ValueError("clipped_horizon is an evaluation mode (training=False)")
        task = name[len(GYM_PREFIX):]
        need = gym_envs.requirements(task)
        if not need.frames:
            raise ValueError(f"{name} is not played from frames with discrete actions")
        self.copies = [gym_envs.make(task) for _ in range(n)]
        self.name, self.training, self.clipped_horizon = name, training, clipped_horizon
        self.observation_shape, self.action_size = need.observation_size, need.action_size
        self._stacked = len(self.copies[0].observation_space.shape) == 2
        self._first_action = int(self.copies[0].action_space.start)
        spec = gym_envs.gymnasium().spec(task)
        self._limit = (spec.max_episode_steps or 0) if training else 0  # 0: none (evaluation: the caller's cap)
        self._n = n
        self._obs = np.zeros((n, *self.observation_shape), np.uint8)
        self._age = np.zeros(n, np.int64)
        self._score = np.zeros(n, np.float64)
        self._resetting = np.zeros(n, bool)
        self._ready = False
        self.finished_returns = np.full(n, np.nan)

    def __len__(self) -> int:
        return self._n

    def _start(self, i: int, seed: int | None = None) -> None:
        """Copy i begins an episode (from `seed`, else its own stream), its first frame filling the stack."""
        frame = np.asarray(self.copies[i].reset(seed=seed)[0], np.uint8)
        self._obs[i] = frame if not self._stacked else frame[None]
        self._age[i], self._score[i] = 0, 0.0

    def _push(self, i: int, frame) -> None:
        frame = np.asarray(frame, np.uint8)
        if self._stacked:
            self._obs[i, :-1] = self._obs[i, 1:]
            self._obs[i, -1] = frame
        else:
            self._obs[i] = frame

    def reset(self, seeds: Sequence[int]) -> np.ndarray:
        seeds = checked_seeds(self.name, seeds, self._n)
        for i, seed in enumerate(seeds):
            self._start(i, int(seed % SEED_RANGE))
        self._resetting[:], self._ready = False, True
        self.finished_returns = np.full(self._n, np.nan)
        return self._obs.copy()

    def step(self, actions: np.ndarray, active: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One action per copy: (obs uint8 (n, C, H, W), reward float32 (n,), terminal bool (n,)); in
        evaluation an inactive copy stands still and gets obs zeros, reward 0, terminal False."""
        if not self._ready:
            raise RuntimeError(f"{self.name}: step before reset")
        actions = checked_actions(self.name, actions, self._n)
        if ((actions < 0) | (actions >= self.action_size)).any():
            raise ValueError(f"{self.name}: actions must lie in [0, {self.action_size}), got {actions}")
        live = np.ones(self._n, bool) if self.training or active is None else np.asarray(active, bool)
        raw, ended = np.zeros(self._n), np.zeros(self._n, bool)
        self.finished_returns = np.full(self._n, np.nan)
        stepped = np.zeros(self._n, bool)  # clipped horizon: played the agent's action (not a reset step)
        for i in np.flatnonzero(live):
            if self._resetting[i]:  # the step after an episode's end starts the next (clipped horizon)
                self._start(i)
                self._resetting[i] = False
                continue
            frame, raw[i], terminated, truncated, _ = self.copies[i].step(int(actions[i]) + self._first_action)
            self._age[i] += 1
            self._score[i] += raw[i]
            ended[i] = terminated or truncated or self._age[i] == self._limit
            stepped[i] = True
            self._push(i, frame)
            if ended[i] and self.training:  # restarts at once: the obs returned is the next episode's
                self.finished_returns[i] = self._score[i]
                self._start(i)
        obs = self._obs.copy()
        if self.training:
            return obs, np.sign(raw).astype(np.float32), ended
        if self.clipped_horizon:
            self._resetting |= ended
            reward = np.where(stepped & ~ended, np.sign(raw), 0.0).astype(np.float32)
            return obs, reward, np.zeros(self._n, bool)
        obs[~live] = 0
        return obs, np.where(live, raw, 0.0).astype(np.float32), ended & live


def study_subject(envs) -> str:
    """What the Atari study's figure titles say was played: "PPO on Atari" for the ALE's games
    alone, "PPO from frames" where a Gymnasium env of the user's is among them."""
    return "PPO on Atari" if all(env.startswith("atari-") for env in envs) else "PPO from frames"


def frame_copies(name: str, n: int, training: bool, clipped_horizon: bool = False):
    """n copies of an env played from frames: an ALE game's (envs/atari.py) or a Gymnasium id's."""
    if name.startswith(GYM_PREFIX):
        return GymFrames(name, n, training, clipped_horizon=clipped_horizon)
    from workflow_lib.envs.atari import AtariEnvs  # the simulator is an optional package

    return AtariEnvs(name, n, training=training, clipped_horizon=clipped_horizon)


def frame_sizes(name: str) -> tuple[tuple[int, ...], int]:
    """(frames' shape, number of actions) of an env played from frames."""
    if name.startswith(GYM_PREFIX):
        need = gym_envs.requirements(name[len(GYM_PREFIX):])
        return need.observation_size, need.action_size
    from workflow_lib.envs.atari import atari_sizes

    return atari_sizes(name)
