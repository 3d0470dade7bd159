"""A user's Gymnasium env with discrete actions and frames (examples/pixel_catch.py), played by the
Atari learner as it plays the ALE's games: its requirements, its copies in each mode against the
env itself, the Atari study's code (training, a PURD sample) on it, and what the workflow makes of
it (the learner it trains, the studies it joins)."""

import os

import numpy as np
import pytest

from examples.pixel_catch import PixelCatch
from workflow_lib.envs import gym_envs
from workflow_lib.envs.gym_frames import GymFrames, frame_copies, study_subject
from workflow_lib.envs.host import HostEnvs, env_sizes, plays_frames

ENV = "gym-PixelCatch-v0"


@pytest.fixture(autouse=True)
def example_registered(monkeypatch):
    monkeypatch.chdir(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the workflow directory
    gym_envs.use_modules(["examples.pixel_catch", "examples.cliff_runner"])
    yield
    os.environ.pop(gym_envs.MODULES_VARIABLE, None)


def test_the_example_is_played_from_stacked_frames():
    need = gym_envs.requirements("PixelCatch-v0")
    assert (need.observation_size, need.action_size, need.frames) == ((4, 42, 42), 3, True)
    assert plays_frames(ENV) and not plays_frames("gym-CliffRunner-v0") and plays_frames("atari-Breakout")
    assert env_sizes(ENV) == ((4, 42, 42), 3)
    assert study_subject([ENV, "atari-Pong"]) == "PPO from frames" and study_subject(["atari-Pong"]) == "PPO on Atari"
    with pytest.raises(ValueError, match="played from frames with discrete actions"):
        HostEnvs(ENV, 1)


def _reference(seed: int, actions) -> tuple[list, list, list]:
    """The env itself under `actions` from reset(seed), restarting after each episode from its own
    stream: (frames, rewards, ends)."""
    env = PixelCatch()
    frames, rewards, ends = [env.reset(seed=seed)[0]], [], []
    for action in actions:
        frame, reward, terminated, _, _ = env.step(action)
        frames.append(frame)
        rewards.append(reward)
        ends.append(terminated)
        if terminated:
            frames.append(env.reset()[0])
    return frames, rewards, ends


def test_training_copies_stack_clip_and_restart_as_the_ale_copies_do():
    actions = np.random.default_rng(0).integers(0, 3, 130)
    frames, rewards, ends = _reference(5, actions)
    copies = frame_copies(ENV, 2, training=True)
    obs = copies.reset([5, 5])
    assert obs.shape == (2, 4, 42, 42) and obs.dtype == np.uint8
    assert (obs[0] == frames[0]).all()  # the first frame fills the stack
    stack, k, finished = [frames[0]] * 4, 0, []
    for t, action in enumerate(actions):
        obs, reward, terminal = copies.step(np.array([action, action]))
        k += 1
        stack = stack[1:] + [frames[k]]
        assert terminal[0] == ends[t] and reward[0] == np.sign(rewards[t])
        if ends[t]:  # the obs returned is the next episode's first frame, filling the stack
            k += 1
            stack = [frames[k]] * 4
            finished.append(copies.finished_returns[0])
        np.testing.assert_array_equal(obs[0], np.stack(stack))
        np.testing.assert_array_equal(obs[0], obs[1])
    assert len(finished) == 2 and finished[0] == sum(rewards[:60]) and finished[1] == sum(rewards[60:120])


def test_the_clipped_horizon_plays_through_episodes_with_a_silent_end_and_reset_step():
    actions = np.ones(125, np.int64)  # stay: the paddle catches the balls of its column only
    _, rewards, ends = _reference(3, actions[:60])
    copies = GymFrames(ENV, 1, training=False, clipped_horizon=True)
    copies.reset([3])
    got = [copies.step(np.array([a])) for a in actions]
    assert not any(terminal.any() for _, _, terminal in got)
    clipped = [float(r[0]) for _, r, _ in got]
    assert clipped[:59] == rewards[:59] and ends[59]
    assert clipped[59] == 0.0 and clipped[60] == 0.0  # the end step adds nothing, nor the reset step after it
    np.testing.assert_array_equal(got[60][0][0, -1], got[60][0][0, 0])  # a new episode: its frame fills the stack
    # The next episode continues the copy's stream, as the env's own second episode does.
    second = _reference(3, actions[:120])[1][60:]
    assert clipped[61:120] == second[:59] and clipped[120] == clipped[121] == 0.0


def test_game_score_copies_end_where_the_episode_ends_and_inactive_ones_stand_still():
    actions = np.zeros(70, np.int64)
    _, rewards, ends = _reference(9, actions)
    copies = frame_copies(ENV, 2, training=False)
    copies.reset([9, 9])
    total, alive = np.zeros(2), np.array([True, False])
    for t, action in enumerate(actions):
        obs, reward, terminal = copies.step(np.array([action, action]), alive)
        assert (obs[1] == 0).all() and reward[1] == 0 and not terminal[1]
        total += reward
        alive &= ~terminal
        if not alive.any():
            break
    assert t == 59 and total[0] == sum(rewards[:60])


def test_ppo_atari_trains_on_the_example_and_samples_its_purd(tmp_path):
    """The Atari learner's run on the example (the Atari study's Trainer, unchanged), reproducible
    to the byte, and a PURD of its checkpoint: a fresh unroll, one update, greedy rollouts over the
    clipped horizon, the same returns when sampled again."""
    import logging

    from workflow_lib.studies import purd
    from workflow_lib.training.job import TrainJob
    from workflow_lib.training.trainer import Trainer

    job = TrainJob.from_fields({
        "env": ENV, "backend": "none", "algo": "ppo_atari", "seeds": [0], "total_steps": 32, "checkpoints": [32],
        "log_every": 32, "episode_length": 30,
        "hyperparameters": {"num_envs": 2, "unroll_length": 8, "num_minibatches": 2, "num_epochs": 1}})

    def train(out):
        trainer = Trainer(job, out / "_work", logging.getLogger("test"))
        carry, rows = trainer.run()
        trainer.publish(carry, rows, {(0, 32): out / "step32.msgpack"}, {}, {0: out / "eval.parquet"})
        return out / "step32.msgpack", rows

    path, rows = train(tmp_path / "a")
    assert path.read_bytes() == train(tmp_path / "b")[0].read_bytes()
    assert [r["step"] for r in rows] == [32] and 0 <= rows[0]["return"] <= 10  # a game score: catches
    policy = purd.load_policy(path)
    settings = purd.Settings(n=4, batch_size=4, update_batch=2, episode_length=30)
    first, again = purd.sample(policy, "ppo_atari", settings), purd.sample(policy, "ppo_atari", settings)
    assert np.array_equal(first["return"], again["return"])
    assert (first["length"] == 31).all() and ((first["return"] >= 0) & (first["return"] <= 31)).all()
