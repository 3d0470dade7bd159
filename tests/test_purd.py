"""The PURD engine: it takes the training code's own update, is reproducible sample by sample,
and its batched program agrees with a plain one-policy-at-a-time loop."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from workflow_lib.agents import ppo
from workflow_lib.studies import purd
from workflow_lib.agents import replay
from workflow_lib.agents import td3
from workflow_lib.agents.registry import ALGORITHMS
from workflow_lib.envs.native import make_env, reference_state
from workflow_lib.engine.rollout import rollout_return

T = 60  # evaluation length: short, so that the tests stay quick
SMALL = {"td3": {"hidden": [32, 32], "batch_size": 32}, "sac": {"hidden": [32, 32], "batch_size": 32},
         "ppo": {"hidden": [16, 16], "num_envs": 16, "unroll_length": 8}}


def make_policy(algo: str, steps: int) -> purd.Policy:
    """A fresh agent with `steps` random transitions (the engine's tests need no trained policy)."""
    return purd.synthetic_policy("hopper", "spring", algo, SMALL[algo], steps, max_steps=T)


@pytest.fixture(scope="module")
def td3_policy():
    return make_policy("td3", 256)


def test_td3_samples_are_training_updates_rolled_out(td3_policy):
    """Sample i = td3.actor_update on a prefix minibatch drawn with its own key, then a rollout."""
    settings = purd.Settings(n=6, batch_size=4, episode_length=T)
    out = purd.sample(td3_policy, "td3", settings)
    env, start = make_env("hopper", "spring"), reference_state("hopper", "spring")
    root = purd.root_key("hopper", "td3", 0, 256, "td3")

    @jax.jit
    def one(i):
        key = jax.random.fold_in(root, i)
        batch = replay.buffer_sample(td3_policy.buffer, key, td3_policy.agent.config.batch_size)
        updated, _ = td3.actor_update(td3_policy.agent, batch)
        return rollout_return(env, td3.policy, updated, start, T)

    loop = [one(jnp.uint32(i)) for i in range(6)]
    np.testing.assert_allclose(out["return"], [float(r["return"]) for r in loop], rtol=1e-4)
    np.testing.assert_array_equal(out["length"], [int(r["length"]) for r in loop])
    assert len(np.unique(out["return"])) > 1  # every sample is its own update


def test_same_key_same_samples_and_prefix_stable(td3_policy):
    settings = purd.Settings(n=10, batch_size=4, episode_length=T)
    first, again = purd.sample(td3_policy, "td3", settings), purd.sample(td3_policy, "td3", settings)
    np.testing.assert_array_equal(first["return"], again["return"])
    fewer = purd.sample(td3_policy, "td3", purd.Settings(n=5, batch_size=4, episode_length=T))
    np.testing.assert_array_equal(fewer["return"], first["return"][:5])
    np.testing.assert_array_equal(first["sample"], np.arange(10))


def test_per_step_rewards_sum_to_the_return(td3_policy):
    settings = purd.Settings(n=3, batch_size=4, episode_length=T, with_rewards=True)
    out = purd.sample(td3_policy, "td3", settings)
    assert out["rewards"].shape == (3, T)
    np.testing.assert_allclose(out["rewards"].sum(axis=1), out["return"], rtol=1e-5)
    table = purd.to_table(out)
    assert table.columns == ["sample", "return", "length", "rewards"] and table.height == 3


def test_gaussian_update_has_scale_sigma(td3_policy):
    params = purd.one_update(td3_policy, "gaussian", purd.Settings(sigma=0.01))(jax.random.key(3))
    base = td3.actor_params(td3_policy.agent)
    diff = np.concatenate([np.ravel(a - b) for a, b in zip(jax.tree.leaves(params), jax.tree.leaves(base))])
    assert diff.std() == pytest.approx(0.01, rel=0.05) and abs(diff.mean()) < 1e-3


def test_kind_must_suit_the_checkpoint():
    purd.check_kind("sac", "gaussian")
    with pytest.raises(ValueError, match="own update"):
        purd.check_kind("td3", "sac")
    with pytest.raises(ValueError, match="unknown update kind"):
        purd.check_kind("td3", "adam")


def test_sac_samples_differ():
    policy = make_policy("sac", 256)
    out = purd.sample(policy, "sac", purd.Settings(n=3, batch_size=3, episode_length=T))
    assert np.all(np.isfinite(out["return"])) and len(np.unique(out["return"])) == 3


def test_ppo_update_is_one_minibatch_step_on_a_fresh_rollout():
    """PPO's update: its own rollout from the checkpointed envs, one clipped Adam step.
    (Full PPO sampling runs in the end-to-end workflow test.)"""
    policy = make_policy("ppo", 0)
    update = jax.jit(purd.one_update(policy, "ppo", purd.Settings()))
    base = ppo.actor_params(policy.agent)
    first, second = (update(jax.random.key(k)) for k in (0, 1))
    step = max(float(np.abs(a - b).max()) for a, b in zip(jax.tree.leaves(first), jax.tree.leaves(base)))
    assert 0 < step <= 2 * policy.agent.config.learning_rate  # Adam's first step moves each weight by <= lr
    assert any(not np.array_equal(a, b) for a, b in zip(jax.tree.leaves(first), jax.tree.leaves(second)))
