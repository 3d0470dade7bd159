"""Atari games (workflow_lib/envs/atari.py): names, seeding, evaluation and training semantics, and
the games against a plain ALEInterface loop written out here (the games are ALE's own)."""

import sys

import numpy as np
import pytest

ale_py = pytest.importorskip("ale_py")

from ale_py import roms  # noqa: E402

from workflow_lib.envs import atari  # noqa: E402
from workflow_lib.envs.atari import ATARI_GAMES, AtariEnvs, atari_game, atari_sizes  # noqa: E402
from workflow_lib.envs.host import MissingSimulator  # noqa: E402

ale_py.ALEInterface.setLoggerMode(ale_py.LoggerMode.Error)


def fixed_actions(size, steps, seed=0):
    return np.random.default_rng(seed).integers(0, size, steps)


def area_taps(src, dst, taps=4):
    """An area (box) resize from src to dst pixels, as OpenCV's INTER_AREA: for each destination
    pixel the source pixels it overlaps and the overlaps' shares (a dense matrix product is
    30 ms a frame on this CPU, these gathers well under 1)."""
    scale, index, weight = src / dst, np.zeros((dst, taps), int), np.zeros((dst, taps))
    for i in range(dst):
        lo, hi = i * scale, (i + 1) * scale
        for t, j in enumerate(range(int(lo), min(int(np.ceil(hi)), src))):
            index[i, t], weight[i, t] = j, (min(hi, j + 1) - max(lo, j)) / scale
    return index, weight


(ROW_INDEX, ROW_WEIGHT), (COL_INDEX, COL_WEIGHT) = area_taps(210, 84), area_taps(160, 84)


def shrink(frame):
    rows = (frame.astype(np.float64)[ROW_INDEX] * ROW_WEIGHT[..., None]).sum(1)
    return np.rint((rows[:, COL_INDEX] * COL_WEIGHT).sum(2)).astype(np.uint8)


class Reference:
    """One game on a plain ALEInterface, preprocessed by hand: no sticky actions, FIRE (where the
    game has it) then `noops` NOOP frames at reset, 4 frames per action summing the score and
    stopping at game over, the max of the last two grayscale frames area-resized to 84x84, 4
    frames stacked with the first frame filling the stack."""

    def __init__(self, game, seed, noops):
        self.ale = ale_py.ALEInterface()
        self.ale.setFloat("repeat_action_probability", 0.0)
        self.ale.setInt("random_seed", seed)
        self.ale.loadROM(str(roms.get_rom_path(atari._ROM_OF[game])))
        self.ale.reset_game()
        self.actions = self.ale.getMinimalActionSet()
        if ale_py.Action.FIRE in self.actions:
            self.ale.act(ale_py.Action.FIRE)
        for _ in range(noops):
            self.ale.act(ale_py.Action.NOOP)
        self.frames = [self.ale.getScreenGrayscale(), np.zeros((210, 160), np.uint8)]
        self.stack = [shrink(self.frames[0])] * 4

    def step(self, action):
        """(obs, raw score, game over, life lost)."""
        before, reward = self.ale.lives(), 0
        for left in (4, 3, 2, 1):
            reward += self.ale.act(self.actions[action])
            if self.ale.game_over():
                break
            if left <= 2:
                self.frames[left - 1] = self.ale.getScreenGrayscale()
        self.frames[0] = np.maximum(*self.frames)  # in place, as ale-py: a cut step keeps it
        self.stack = self.stack[1:] + [shrink(self.frames[0])]
        return np.stack(self.stack), reward, self.ale.game_over(), 0 < self.ale.lives() < before


def follow_reference(game, seed, actions, ours):
    """Steps `ours` (one evaluation copy reset with `seed`) and plain ALE loops along `actions`
    and checks every step: the same raw score and game over to the bit, the same frames to the
    rounding of the resize (OpenCV's, ours in float64), up to game over. The number of reset
    no-ops is drawn in C++ from the seed, so the loops try every count (0-29) and drop those
    that part from ours; one must last. Returns ours' steps: (rewards, terminals, lives lost)."""
    first = ours.reset([seed])[0]
    scan = Reference(game, seed, 0)  # one loop's reset frames after each no-op count
    fire = int(ale_py.Action.FIRE in scan.actions)
    frames = [scan.stack[-1]]
    for _ in range(atari.NOOP_MAX - fire - 1):
        scan.ale.act(ale_py.Action.NOOP)
        frames.append(shrink(scan.ale.getScreenGrayscale()))
    refs = [Reference(game, seed, k) for k, frame in enumerate(frames)
            if np.abs(frame.astype(int) - first[-1]).max() <= 1]
    steps = []
    for action in actions:
        obs, reward, terminal = ours.step(np.array([action]))
        results = [(ref, ref.step(action)) for ref in refs]
        refs = [ref for ref, (r_obs, r_reward, r_over, _) in results
                if r_reward == reward[0] and r_over == terminal[0]
                and (r_over or np.abs(r_obs.astype(int) - obs[0]).max() <= 1)]
        assert refs, f"{game} seed {seed}: no plain ALE loop follows ours at step {len(steps)}"
        lost = next(res for ref, res in results if ref is refs[0])[3]
        steps.append((reward[0], terminal[0], lost))
        if terminal[0]:
            break
    return np.array(steps).T


def test_names_and_sizes():
    assert {"Breakout", "MsPacman", "Qbert", "Seaquest", "Pong"} <= set(ATARI_GAMES)
    assert sorted(atari.ATARI_ROMS) == sorted(roms.get_all_rom_ids())  # the installed ROM set
    assert atari_game("atari-MsPacman") == "MsPacman" and atari_game("atari-TicTacToe3D") == "TicTacToe3D"
    assert atari_game("dmc-quadruped-walk") is None and atari_game("Breakout") is None
    with pytest.raises(ValueError, match="atari-Breakout"):
        atari_game("atari-breakout")
    assert atari_sizes("atari-Breakout") == ((4, 84, 84), 4)  # NOOP FIRE RIGHT LEFT
    assert atari_sizes("atari-MsPacman")[1] == 9 and atari_sizes("atari-Pong")[1] == 6


def test_missing_simulator_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "ale_py", None)  # import ale_py raises ImportError
    with pytest.raises(MissingSimulator, match=r"\[atari\]"):
        AtariEnvs("atari-Breakout", 1, training=False)


def test_seeds_fix_the_games():
    """Equal seeds: bit-identical starts and, under equal actions, trajectories (across the
    training copies' own restarts too: 300 steps hold two or three random games), in one vector
    and across vectors; other seeds draw other no-op counts, so other starts."""
    env, other = AtariEnvs("atari-Breakout", 4, training=True), AtariEnvs("atari-Breakout", 2, training=True)
    assert len(env) == 4 and env.observation_shape == (4, 84, 84) and env.action_size == 4
    obs, obs2 = env.reset([1, 1, 2, 4]), other.reset([1, 2])
    assert obs.shape == (4, 4, 84, 84) and obs.dtype == np.uint8
    assert (obs[0] == obs[1]).all() and (obs[0] == obs2[0]).all() and (obs[2] == obs2[1]).all()
    assert (obs[0] != obs[2]).any() and (obs[0] != obs[3]).any() and (obs[2] != obs[3]).any()
    assert (obs == obs[:, :1]).all()  # a game's first frame fills the stack
    for action in fixed_actions(4, 300):
        obs, reward, terminal = env.step(np.full(4, action))
        obs2, reward2, terminal2 = other.step(np.full(2, action))
        assert reward.dtype == np.float32 and terminal.dtype == bool
        for a, b in ((0, 0), (1, 0), (2, 1)):
            assert (obs[a] == obs2[b]).all() and reward[a] == reward2[b] and terminal[a] == terminal2[b]
    assert (obs[0] != obs[3]).any()
    shifted = AtariEnvs("atari-Breakout", 1, training=True, seed_offset=1)
    assert (shifted.reset([1])[0] == other.reset([2, 2])[0]).all()  # seed_offset adds to the seeds


def test_breakout_is_ale_breakout_in_both_modes():
    """Evaluation: raw scores and game over as a plain ALE loop's. Training, same seed and
    actions: the same game (a lost life is terminal but the game goes on), clipped scores, and
    at game over the raw score in finished_returns and a new game's first obs."""
    actions = fixed_actions(4, 2000, seed=3)
    reward, terminal, lost = follow_reference("Breakout", 2, actions, AtariEnvs("atari-Breakout", 1, training=False))
    assert terminal[-1] and not terminal[:-1].any() and lost.sum() == 4  # five lives, the game played out
    assert reward.sum() > 0 and (reward == np.round(reward)).all() and (reward >= 0).all()

    train = AtariEnvs("atari-Breakout", 1, training=True)
    train.reset([2])
    for t, action in enumerate(actions[:len(reward)]):
        obs, clipped, done = train.step(np.array([action]))
        assert clipped[0] == np.sign(reward[t]) and done[0] == (terminal[t] or lost[t])
        assert np.isnan(train.finished_returns[0]) == (not terminal[t])
    assert train.finished_returns[0] == reward.sum()
    assert (obs[0] == obs[0, :1]).all()  # the next game's first obs
    _, _, done = train.step(np.array([0]))
    assert not done[0] and np.isnan(train.finished_returns[0])


def test_mspacman_raw_and_clipped_scores():
    """A game with big scores (a pellet is 10): evaluation reports them raw, as ALE's own loop;
    training clips them to their sign."""
    actions = fixed_actions(9, 150, seed=1)
    reward, terminal, _ = follow_reference("MsPacman", 1, actions, AtariEnvs("atari-MsPacman", 1, training=False))
    assert reward.max() >= 10 and not terminal.any()
    train = AtariEnvs("atari-MsPacman", 1, training=True)
    train.reset([1])
    clipped = np.array([train.step(np.array([a]))[1][0] for a in actions])
    assert set(np.unique(clipped)) <= {0.0, 1.0} and (clipped == np.sign(reward)).all()


def test_inactive_copies_are_left_out():
    """Evaluation: an inactive copy gets zeros, 0 and False; the others step as without it."""
    env, alone = AtariEnvs("atari-Breakout", 3, training=False), AtariEnvs("atari-Breakout", 3, training=False)
    env.reset([5, 6, 7]), alone.reset([5, 6, 7])
    active = np.array([True, False, True])
    for t, action in enumerate(fixed_actions(4, 60)):
        actions = np.full(3, action)
        obs, reward, terminal = env.step(actions, active if t >= 10 else None)
        ref = alone.step(actions)
        for got, want in zip((obs, reward, terminal), ref):
            assert (got[[0, 2]] == want[[0, 2]]).all()
        if t >= 10:
            assert not obs[1].any() and reward[1] == 0 and not terminal[1]


def test_training_game_limit(monkeypatch):
    """A game cut at the limit (here 40 frames, 10 agent steps) ends like a game over: terminal,
    its raw score reported, a new game begun."""
    monkeypatch.setattr(atari, "MAX_FRAMES", 40)
    env = AtariEnvs("atari-Breakout", 2, training=True)
    env.reset([0, 1])
    for t in range(1, 12):
        obs, _, terminal = env.step(np.array([1, 1]))
        assert terminal.all() == terminal.any() == (t == 10)
        assert np.isfinite(env.finished_returns).all() == (t == 10) == np.isfinite(env.finished_returns).any()
        if t == 10:
            assert (obs == obs[:, :1]).all()  # new games' first obs


def test_bad_actions_are_refused():
    env = AtariEnvs("atari-Breakout", 2, training=False)
    with pytest.raises(RuntimeError, match="before reset"):
        env.step(np.array([0, 0]))
    env.reset([0, 0])
    for bad in (np.array([0, 4]), np.array([-1, 0]), np.array([0]), np.array([0.0, 1.0])):
        with pytest.raises(ValueError):
            env.step(bad)
    env.step(np.array([0, 99]), active=np.array([True, False]))  # an inactive copy's action is unused
    with pytest.raises(ValueError, match="seeds"):
        env.reset([0])


def clipped_horizon_reference(game, seed, actions):
    """The authors' Atari return (envpool copies with episodic life, clipped rewards and no
    random no-ops; utils.py evaluate_policy) on a plain ALEInterface loop, one agent step at a
    time over len(actions) steps: the sign of each step's raw score, except nothing on a step
    that loses a life or ends the game and on the reset step after it, which presses FIRE after
    a lost life (where the game has it) and after a game over resets the game (with FIRE) without
    acting. Returns the per-step rewards and the counts of lives lost and games over."""
    ref = Reference(game, seed, 0)
    fire = ale_py.Action.FIRE in ref.actions
    rewards, resetting, game_over, lost_lives, games_over = [], False, False, 0, 0
    for action in actions:
        if resetting and game_over:
            ref.ale.reset_game()
            if fire:
                ref.ale.act(ale_py.Action.FIRE)
            rewards.append(0.0)
            resetting = game_over = False
            continue
        step_action = (list(ref.actions).index(ale_py.Action.FIRE) if fire else 0) if resetting else action
        _, raw, over, lost = ref.step(step_action)
        rewards.append(0.0 if resetting or over or lost else float(np.sign(raw)))
        resetting, game_over = over or lost, over
        lost_lives, games_over = lost_lives + lost, games_over + over
    return np.array(rewards), lost_lives, games_over


@pytest.mark.parametrize("game, seed, steps", [("Breakout", 4, 1200), ("MsPacman", 2, 1500)])
def test_clipped_horizon_return_is_a_plain_ale_loops(game, seed, steps):
    """The clipped-horizon evaluation copies against clipped_horizon_reference, step by step, on
    scripted actions long enough to lose every life and restart the game: Breakout needs FIRE
    after a lost life, MsPacman's pellets score 10 (clipped to 1)."""
    size = atari_sizes(f"atari-{game}")[1]
    actions = fixed_actions(size, steps, seed=seed)
    want, lost, over = clipped_horizon_reference(game, seed, actions)
    assert lost >= 2 and over >= 1 and want.sum() > 0  # the script loses lives and games, and scores
    ours = AtariEnvs(f"atari-{game}", 2, training=False, clipped_horizon=True)
    ours.reset([seed, seed])
    got = np.array([ours.step(np.array([a, a]))[1] for a in actions])
    assert got.dtype == np.float32 and set(np.unique(got)) <= {-1.0, 0.0, 1.0}
    np.testing.assert_array_equal(got[:, 0], want)
    np.testing.assert_array_equal(got[:, 1], want)
    with pytest.raises(ValueError, match="evaluation mode"):
        AtariEnvs("atari-Breakout", 1, training=True, clipped_horizon=True)
