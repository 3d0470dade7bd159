"""PPO on an Atari game stepped from the host (training/atari_loop.py) and its PURD (the update: a
fresh unroll from freshly reset games seeded by the sample's key, then the learner's own update;
engine/atari_unroll.py), on tiny settings: checkpoints, reproducibility, what a sample changes."""

import logging

import jax
import numpy as np
import pytest

pytest.importorskip("ale_py")
# Slow (2 trainings and 6 PURDs of a CNN on 2 cores): `python3 do.py test -m slow`. The suite's
# default run covers the Atari study end to end (tests/test_atari_workflow.py), within CI's budget.
pytestmark = pytest.mark.slow

from workflow_lib.agents import ppo_atari as learner  # noqa: E402
from workflow_lib.engine import atari_unroll  # noqa: E402
from workflow_lib.studies import purd  # noqa: E402
from workflow_lib.training.files import load_checkpoint  # noqa: E402
from workflow_lib.training.job import TrainJob  # noqa: E402
from workflow_lib.training.trainer import Trainer  # noqa: E402

JOB = {"env": "atari-Breakout", "backend": "spring", "algo": "ppo_atari", "seeds": [0, 1], "total_steps": 64,
       "checkpoints": [32, 64], "log_every": 32, "episode_length": 60,
       "hyperparameters": {"num_envs": 2, "unroll_length": 16, "num_minibatches": 2, "num_epochs": 1}}
SETTINGS = purd.Settings(n=4, batch_size=4, update_batch=2, episode_length=60)


def train(out):
    trainer = Trainer(TrainJob.from_fields(JOB), out / "_work", logging.getLogger("test"))
    carry, rows = trainer.run()
    paths = {(s, t): out / f"seed{s}_step{t}.msgpack" for s in (0, 1) for t in (32, 64)}
    trainer.publish(carry, rows, paths, {}, {s: out / f"eval{s}.parquet" for s in (0, 1)})
    return paths, rows, trainer


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    return train(tmp_path_factory.mktemp("atari"))


def test_a_run_checkpoints_the_agent_key_and_steps_and_reruns_to_the_same_bytes(trained, tmp_path):
    paths, rows, trainer = trained
    assert not trainer.resumable  # ALE states are not snapshotted: a killed job reruns
    meta, state = load_checkpoint(paths[(0, 64)])
    assert meta["family"] == "host" and set(state) == {"agent", "key", "steps"} and int(state["steps"]) == 64
    # The learning rate's schedule spans the run (2 updates of 32 steps), so a PURD continues it.
    assert meta["hyperparameters"]["total_updates"] == 2
    assert [r["step"] for r in rows] == [32, 32, 64, 64] and all(r["length"] <= 60 for r in rows)
    again, _, _ = train(tmp_path)
    for key in paths:
        assert paths[key].read_bytes() == again[key].read_bytes()
    assert paths[(0, 32)].read_bytes() != paths[(0, 64)].read_bytes()


def test_a_purd_sample_is_one_update_on_a_fresh_unroll_and_reproducible(trained):
    paths, _, _ = trained
    policy = purd.load_policy(paths[(1, 64)])
    first = purd.sample(policy, "ppo_atari", SETTINGS)
    again = purd.sample(policy, "ppo_atari", SETTINGS)
    assert np.array_equal(first["return"], again["return"]) and np.array_equal(first["length"], again["length"])
    # The authors' return: clipped rewards over the whole horizon of episode_length + 1 steps.
    assert (first["length"] == 61).all() and (np.abs(first["return"]) <= 61).all()
    # Sample i's update depends on its key only: the first two of four are those of a PURD of two.
    two = purd.sample(policy, "ppo_atari", purd.Settings(n=2, batch_size=2, update_batch=2, episode_length=60))
    assert np.array_equal(two["return"], first["return"][:2])
    # The alternative return: Breakout's raw score of one game, capped at episode_length.
    scores = purd.sample(policy, "ppo_atari", purd.Settings(n=2, batch_size=2, update_batch=2, episode_length=60,
                                                            atari_return="game_score"))
    assert scores["length"].max() <= 60 and (scores["return"] >= 0).all()
    # What a sample changes: the actor (trunk and policy head), differently per key.
    recipe = atari_unroll.HostUnrollUpdate(policy.env, 2)
    root = purd.root_key(policy.env, policy.algo, policy.seed, policy.step, "ppo_atari")
    params = recipe.host_params(learner, policy.agent, (None, root), np.arange(3, dtype=np.uint32))
    before = learner.actor_params(policy.agent)
    moved = [not np.array_equal(a[0], b) for a, b in zip(jax.tree.leaves(params), jax.tree.leaves(before))]
    assert all(moved)
    assert not np.array_equal(jax.tree.leaves(params)[0][0], jax.tree.leaves(params)[0][1])
    # A sample's games and update are its own whatever shares its batch of copies.
    alone = atari_unroll.HostUnrollUpdate(policy.env, 1).host_params(learner, policy.agent, (None, root),
                                                                      np.arange(3, dtype=np.uint32))
    for a, b in zip(jax.tree.leaves(alone), jax.tree.leaves(params)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)
