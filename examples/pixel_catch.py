"""PixelCatch-v0, a Gymnasium environment of a user's own played from frames with discrete actions
(README, "Add your own environment"): the Atari learner, ppo_atari, trains on it and Figures 19-21
draw it beside (or instead of) the ALE's games.

Balls fall one at a time down a 7 x 7 board from a column drawn at random; a paddle on the bottom
row moves one cell left, stays or moves right (actions 0, 1, 2) and is paid 1 for each catch. An
episode is 10 balls, so a return lies in [0, 10] (the BTP's collapse threshold, a tenth of the
smaller endpoint's mean, is for returns above 0, as the games' scores are). The observation is the board drawn as one 42 x 42 grayscale frame
(uint8; the learner stacks the last 4, as it does the ALE's). A sketch of the classic "Catch".
`gym_modules: [examples.pixel_catch]` imports this file from the workflow directory and so
registers the id below.
"""

import gymnasium as gym
import numpy as np

CELLS, CELL_PIXELS, BALLS = 7, 6, 10
BALL, PADDLE = 255, 128  # the frame's gray levels


class PixelCatch(gym.Env):
    """State (ball row, ball column, paddle column, balls dropped)."""

    def __init__(self):
        size = CELLS * CELL_PIXELS
        self.observation_space = gym.spaces.Box(0, 255, (size, size), np.uint8)
        self.action_space = gym.spaces.Discrete(3)
        self.ball, self.paddle, self.dropped = (0, 0), CELLS // 2, 0

    def _frame(self) -> np.ndarray:
        board = np.zeros((CELLS, CELLS), np.uint8)
        board[CELLS - 1, self.paddle] = PADDLE
        board[self.ball] = BALL
        return np.kron(board, np.ones((CELL_PIXELS, CELL_PIXELS), np.uint8))

    def _new_ball(self) -> None:
        self.ball = (0, int(self.np_random.integers(CELLS)))  # the env's own stream: seeded by reset

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.paddle, self.dropped = CELLS // 2, 0
        self._new_ball()
        return self._frame(), {}

    def step(self, action):
        self.paddle = int(np.clip(self.paddle + int(action) - 1, 0, CELLS - 1))
        row, column = self.ball
        reward = 0.0
        if row + 1 == CELLS - 1:  # the ball reaches the paddle's row
            reward = float(column == self.paddle)
            self.dropped += 1
            self._new_ball()
        else:
            self.ball = (row + 1, column)
        return self._frame(), reward, self.dropped == BALLS, False, {}


gym.register(id="PixelCatch-v0", entry_point=PixelCatch)
