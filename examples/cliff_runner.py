"""CliffRunner-v0, a Gymnasium environment of a user's own (README, "Add your own environment").

A point runs along a ledge, pushed across it by a crosswind that grows with its speed; it is paid
its forward speed and falls, ending the episode, when it leaves the ledge (|y| > 1). Running fast
pays and risks a fall: a noisy neighbourhood in 40 lines of NumPy. configs/cliff_runner.yaml takes
it through Figures 2, 5 and 7 with `gym_modules: [examples.cliff_runner]`, which imports this file
(from the workflow directory) and so registers the id below.
"""

import gymnasium as gym
import numpy as np

DT, DRAG, WIND = 0.05, 0.2, 0.25


class CliffRunner(gym.Env):
    """State (x, y, vx, vy); observation (y, vx, vy, sin x, cos x); action a force in [-1, 1]^2."""

    def __init__(self):
        self.observation_space = gym.spaces.Box(-np.inf, np.inf, (5,), np.float32)
        self.action_space = gym.spaces.Box(-1.0, 1.0, (2,), np.float32)
        self.state = np.zeros(4)

    def _observation(self) -> np.ndarray:
        x, y, vx, vy = self.state
        return np.array([y, vx, vy, np.sin(x / 4), np.cos(x / 4)], np.float32)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)  # seeds self.np_random: the same seed, the same start
        self.state = np.concatenate([[0.0], self.np_random.uniform(-0.1, 0.1, 3)])
        return self._observation(), {}

    def step(self, action):
        force = np.clip(np.asarray(action, np.float64), -1.0, 1.0)
        x, y, vx, vy = self.state
        wind = WIND * vx * np.sin(x / 4)  # across the ledge, stronger the faster the runner goes
        vx += DT * (2.0 * force[0] - DRAG * vx)
        vy += DT * (force[1] + wind - DRAG * vy)
        self.state = np.array([x + DT * vx, y + DT * vy, vx, vy])
        fell = abs(self.state[1]) > 1.0
        reward = 0.1 * vx - 0.01 * float(force @ force)
        return self._observation(), reward, bool(fell), False, {}

    # A snapshot of the runner for bitwise resumable training (README: what the studies need).
    def get_state(self) -> list[float]:
        return self.state.tolist()

    def set_state(self, state: list[float]) -> None:
        self.state = np.asarray(state, np.float64)


gym.register(id="CliffRunner-v0", entry_point=CliffRunner)
