"""Atari 2600 games (the Arcade Learning Environment, ale-py) as vectors of copies stepped from the
host, one call per step for the whole batch: the PPO-on-Atari family (paper Figures 19-21).

Names are `atari-<Game>` with the game in CamelCase as Gymnasium spells it (atari-Breakout,
atari-MsPacman). The copies are ale-py's own C++ vector (`ALEVectorInterface`), not a Python list
of `ALEInterface`s nor envpool (benchmarks/atari_simulators.py): all three cost about the same
CPU per step (Stella's emulation, ~0.55 ms per agent step here, is nearly all of it), but the
vector steps its copies on worker threads without the GIL (ALEInterface.act holds it) and seeds
each copy at every reset (envpool only at construction), so equal seeds give bit-identical
games. Preprocessing as CleanRL's ppo_atari: no sticky actions, up to 30 no-op frames at reset,
4 frames per action with the max over the last two, 84x84 grayscale (area resize), 4 frames
stacked on the first axis (a game's first frame filling the stack). Where ale-py's C++ differs
from CleanRL's wrappers, and we keep it: at reset FIRE, where the game has it, is the first of
the 0-29 no-op frames (CleanRL: 1-30 no-ops, then FIRE and action 2 as agent steps); a lost
life presses no FIRE and keeps the stack (CleanRL's FireResetEnv and FrameStack reset there
too): the agent fires itself.

The simulator is an optional package (the `atari` extra: ale-py, which ships the ROMs); it is
imported when copies are first made, so the rest of the library works without it.
"""

from __future__ import annotations

import functools
import os
from typing import Sequence

import numpy as np

from workflow_lib.core.errors import MissingSimulator

ATARI_PREFIX = "atari-"
# The ROMs that ale-py 0.12.1 ships (ale_py.roms.get_all_rom_ids(); the tests check the list).
ATARI_ROMS = (
    "adventure", "air_raid", "alien", "amidar", "assault", "asterix", "asteroids", "atlantis", "atlantis2",
    "backgammon", "bank_heist", "basic_math", "battle_zone", "beam_rider", "berzerk", "blackjack", "bowling",
    "boxing", "breakout", "carnival", "casino", "centipede", "chopper_command", "combat", "crazy_climber",
    "crossbow", "darkchambers", "defender", "demon_attack", "donkey_kong", "double_dunk", "earthworld",
    "elevator_action", "enduro", "entombed", "et", "fishing_derby", "flag_capture", "freeway", "frogger",
    "frostbite", "galaxian", "gopher", "gravitar", "hangman", "haunted_house", "hero", "human_cannonball",
    "ice_hockey", "jamesbond", "journey_escape", "joust", "kaboom", "kangaroo", "keystone_kapers", "king_kong",
    "klax", "koolaid", "krull", "kung_fu_master", "laser_gates", "lost_luggage", "mario_bros", "maze_craze",
    "miniature_golf", "montezuma_revenge", "mr_do", "ms_pacman", "name_this_game", "othello", "pacman",
    "phoenix", "pitfall", "pitfall2", "pong", "pooyan", "private_eye", "qbert", "riverraid", "road_runner",
    "robotank", "seaquest", "sir_lancelot", "skiing", "solaris", "space_invaders", "space_war", "star_gunner",
    "superman", "surround", "tennis", "tetris", "tic_tac_toe_3d", "time_pilot", "trondead", "turmoil",
    "tutankham", "up_n_down", "venture", "video_checkers", "video_chess", "video_cube", "video_pinball",
    "warlords", "wizard_of_wor", "word_zapper", "yars_revenge", "zaxxon",
)
# Gymnasium's spelling (ale_py.registration.rom_id_to_name): ms_pacman -> MsPacman.
ATARI_GAMES = tuple(rom.title().replace("_", "") for rom in ATARI_ROMS)
_ROM_OF = dict(zip(ATARI_GAMES, ATARI_ROMS))
ATARI_HINT = "pip install -e '.[atari]' in the workflow's venv (ale-py==0.12.1, which ships the ROMs)"

OBSERVATION_SHAPE = (4, 84, 84)
FRAME_SKIP = 4
NOOP_MAX = 30
# Training's game limit: 108,000 frames (Gymnasium's ALE default), counted from the end of the
# reset's no-ops. Evaluation has none of its own: the caller stops at its episode length.
MAX_FRAMES = 108_000
MAX_AGENT_STEPS = MAX_FRAMES // FRAME_SKIP
_NO_LIMIT = 1 << 30  # not INT_MAX: the C++ copy starts its frame counter at the limit + 1
SEED_RANGE = 1 << 31  # the C++ seeds are int32, and a negative one means "keep the stream"; gym seeds too


def atari_game(name: str) -> str | None:
    """'atari-Breakout' -> 'Breakout'; None for a name without the prefix; ValueError naming a
    few known games for an unknown one."""
    if not name.startswith(ATARI_PREFIX):
        return None
    game = name[len(ATARI_PREFIX):]
    if game not in _ROM_OF:
        known = ", ".join(ATARI_PREFIX + g for g in ("Breakout", "MsPacman", "Pong", "Qbert", "Seaquest"))
        raise ValueError(f"unknown Atari game {name!r}; e.g. {known} ({len(ATARI_GAMES)} games, CamelCase as in "
                         "Gymnasium's ALE/<Game>-v5)")
    return game


def _ale_py():
    try:
        import ale_py
    except ImportError as err:
        raise MissingSimulator(f"ale-py is not installed ({err}); {ATARI_HINT}") from None
    ale_py.ALEInterface.setLoggerMode(ale_py.LoggerMode.Error)  # no banner per copy on stderr
    return ale_py


def _rom_path(game: str) -> str:
    from ale_py import roms  # after _ale_py(): only called once the package is known to be there

    return str(roms.get_rom_path(_ROM_OF[game]))


def _threads(n: int) -> int:
    """The CPUs this process may use, not the machine's (ale-py's default, hardware_concurrency,
    would start a thread per core of a whole cluster node inside a 2-core job)."""
    return max(1, min(n, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def checked_seeds(name: str, seeds: Sequence[int], n: int) -> np.ndarray:
    """One seed per copy, as int64, or a ValueError saying how many came (AtariEnvs, GymFrames)."""
    seeds = np.asarray(seeds, np.int64)
    if seeds.shape != (n,):
        raise ValueError(f"{name}: {seeds.shape[0] if seeds.ndim else 'no'} seeds for {n} copies")
    return seeds


def checked_actions(name: str, actions: np.ndarray, n: int) -> np.ndarray:
    """One integer action per copy, or a ValueError saying what came (AtariEnvs, GymFrames)."""
    actions = np.asarray(actions)
    if actions.shape != (n,) or not np.issubdtype(actions.dtype, np.integer):
        raise ValueError(f"{name}: expected {n} integer actions, got {actions.dtype} {actions.shape}")
    return actions


def pad_first_frame(obs: np.ndarray, age: np.ndarray) -> None:
    """In place: where a game began `age` < 3 steps ago, the stack slots before its first frame
    (zeros in ale-py) hold that first frame, as Gymnasium's FrameStackObservation and envpool
    fill them."""
    stack = obs.shape[1]
    for empty in range(1, stack):
        rows = age == stack - 1 - empty
        obs[rows, :empty] = obs[rows, empty:empty + 1]


class AtariEnvs:
    """`n` copies of one Atari game. Actions are indices into the game's minimal action set.

    training=True: a lost life is terminal for the learner (the game goes on), rewards are clipped
    to their sign, a game that ends (game over or MAX_AGENT_STEPS) is terminal and restarts at
    once from the copy's own random stream (the obs returned is the new game's first), and
    `finished_returns` holds its raw score. training=False: raw scores, terminal at game over
    only (that step's obs is already a next game's, which the caller does not play), no time
    limit, and copies the caller marks inactive are left out of the results.

    clipped_horizon=True (evaluation only): the authors' evaluation copies (envpool with episodic
    life, clipped rewards, no random no-ops; docs/protocol.md, "Atari"). Nothing is terminal: the
    caller plays a fixed horizon through lost lives and restarted games. The reward is the raw
    one's sign, except 0 on a step that loses a life or ends the game and on the step after it,
    a reset step: after a lost life the copy presses FIRE where the game has it (else NOOP) and
    the agent's action is not played; after a game over the next game begins (ale-py's NextStep
    autoreset, also ignoring the action). No random no-ops at any reset."""

    def __init__(self, name: str, n: int, training: bool, seed_offset: int = 0, clipped_horizon: bool = False):
        game = atari_game(name)
        if game is None:
            raise ValueError(f"{name!r} is not an Atari env name ({ATARI_PREFIX}<Game>)")
        ale_py = _ale_py()
        # Every setting explicit: ale-py's defaults are not CleanRL's (reward clipping) and
        # could change under us. From the C++ module where it lives: ale_py's __init__ exposes it
        # only where gymnasium imports (its `try` around ale_py.env swallows the ImportError).
        from ale_py._ale_py import ALEVectorInterface

        self._vector = ALEVectorInterface(
            rom_path=_rom_path(game), num_envs=n, frame_skip=FRAME_SKIP, stack_num=OBSERVATION_SHAPE[0],
            img_height=OBSERVATION_SHAPE[1], img_width=OBSERVATION_SHAPE[2], grayscale=True, maxpool=True,
            noop_max=0 if clipped_horizon else NOOP_MAX, use_fire_reset=True,
            # Lives are tracked here: ale-py's episodic_life restarts the whole game at a lost
            # life, and its life_loss_info would hide which terminals were game overs.
            episodic_life=False, life_loss_info=False,
            reward_clipping=False,  # the raw score is reported; training clips here
            max_episode_steps=MAX_FRAMES if training else _NO_LIMIT,
            repeat_action_probability=0.0, full_action_space=False,
            batch_size=0,  # = n: synchronous, results in copy order
            num_threads=_threads(n), thread_affinity_offset=-1,
            # SameStep: an ended game's step returns the next game's first obs. NextStep (clipped
            # horizon): the step after it is the reset, as envpool's, which the authors used.
            autoreset_mode="NextStep" if clipped_horizon else "SameStep",
        )
        if clipped_horizon and training:
            raise ValueError("clipped_horizon is an evaluation mode (training=False)")
        self.name, self.training, self.seed_offset = name, training, seed_offset
        self.clipped_horizon = clipped_horizon
        self.observation_shape = OBSERVATION_SHAPE
        action_set = list(self._vector.get_action_set())
        self.action_size = len(action_set)
        # What a reset step after a lost life presses: FIRE where the game has it (envpool's fire reset).
        self._reset_action = action_set.index(ale_py.Action.FIRE) if ale_py.Action.FIRE in action_set else 0
        self._resetting = np.zeros(n, bool)  # clipped horizon: this copy's next step is a reset step
        self._n = n
        self._lives = np.zeros(n, np.int32)
        self._age = np.zeros(n, np.int64)  # agent steps since the copy's game began
        self._score = np.zeros(n, np.float64)  # the raw score of the game in progress
        self._ready = False
        self.finished_returns = np.full(n, np.nan)

    def __len__(self) -> int:
        return self._n

    def reset(self, seeds: Sequence[int]) -> np.ndarray:
        """Every copy starts a new game, copy i from seeds[i] (its no-ops and, in training, the
        no-ops of the games after it): (n, 4, 84, 84) uint8."""
        seeds = checked_seeds(self.name, seeds, self._n)
        obs, info = self._vector.reset(np.arange(self._n), (seeds + self.seed_offset) % SEED_RANGE)
        self._lives = info["lives"]
        self._age[:], self._score[:], self._ready = 0, 0.0, True
        self._resetting[:] = False
        self.finished_returns = np.full(self._n, np.nan)
        pad_first_frame(obs, self._age)
        return obs

    def step(self, actions: np.ndarray, active: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One action per copy: (obs uint8 (n, 4, 84, 84), reward float32 (n,), terminal bool (n,)).
        In evaluation an inactive copy gets obs zeros, reward 0, terminal False (as HostEnvs)."""
        if not self._ready:
            raise RuntimeError(f"{self.name}: step before reset")
        actions = checked_actions(self.name, actions, self._n)
        if self.clipped_horizon:
            return self._step_clipped(self._in_range(actions))
        live = np.ones(self._n, bool) if self.training or active is None else np.asarray(active, bool)
        # The C++ copies all step (the vector is synchronous); an inactive one plays NOOP, unseen.
        actions = self._in_range(np.where(live, actions, 0))
        self._vector.send(actions, np.ones(self._n, np.float32))
        obs, raw, over, truncated, info = self._vector.recv()
        raw = raw.astype(np.float64)
        ended = over | truncated  # the game is over; SameStep has already begun the next one
        lost = ~ended & (info["lives"] < self._lives) & (info["lives"] > 0)  # CleanRL's EpisodicLifeEnv test
        self._lives = info["lives"]
        self._age = np.where(ended, 0, self._age + 1)
        pad_first_frame(obs, self._age)
        if self.training:
            self._score += raw
            self.finished_returns = np.where(ended, self._score, np.nan)
            self._score[ended] = 0.0
            # A game cut at the limit is terminal too: the obs is already the next game's.
            return obs, np.sign(raw).astype(np.float32), ended | lost
        obs[~live] = 0
        return obs, np.where(live, raw, 0.0).astype(np.float32), over & live


    def _in_range(self, actions: np.ndarray) -> np.ndarray:
        """The actions, each an index of the game's action set, or a ValueError naming them."""
        if ((actions < 0) | (actions >= self.action_size)).any():
            raise ValueError(f"{self.name}: actions must lie in [0, {self.action_size}), got {actions}")
        return actions

    def _step_clipped(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A step of the clipped-horizon evaluation (class docstring): (obs, reward in {-1, 0, 1},
        terminal all False)."""
        sent = np.where(self._resetting, self._reset_action, actions)
        self._vector.send(sent, np.ones(self._n, np.float32))
        obs, raw, over, truncated, info = self._vector.recv()
        restarted = self._resetting & (self._lives == 0)  # NextStep: this step began a new game
        ended = over | truncated
        lost = ~ended & (info["lives"] < self._lives) & ~restarted
        reward = np.where(self._resetting | ended | lost, 0.0, np.sign(raw)).astype(np.float32)
        self._resetting = ended | lost
        self._lives = np.where(ended, 0, info["lives"])  # 0 marks a game whose next step restarts it
        self._age = np.where(restarted, 0, self._age + 1)
        pad_first_frame(obs, self._age)
        return obs, reward, np.zeros(self._n, bool)


@functools.lru_cache(maxsize=None)
def atari_sizes(name: str) -> tuple[tuple[int, int, int], int]:
    """(observation shape, action size) of an Atari env: the size of the game's minimal action
    set, read from one plain ALEInterface (no worker threads)."""
    game = atari_game(name)
    if game is None:
        raise ValueError(f"{name!r} is not an Atari env name ({ATARI_PREFIX}<Game>)")
    ale = _ale_py().ALEInterface()
    ale.loadROM(_rom_path(game))
    return OBSERVATION_SHAPE, len(ale.getMinimalActionSet())
