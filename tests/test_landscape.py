"""The landscape engine (docs/protocol.md, "Landscape"): grid coordinates, directions that are the training
update itself or filter-normalised noise, and grid points that are the policies they name."""

import jax
import numpy as np
import pytest

from workflow_lib.studies import landscape
from workflow_lib.studies import purd
from workflow_lib.agents import sac
from workflow_lib.envs.native import make_env, reference_state
from workflow_lib.engine.rollout import rollout_return

T = 60


@pytest.fixture(scope="module")
def sac_policy():
    return purd.synthetic_policy("hopper", "spring", "sac", {"hidden": [32, 32], "batch_size": 32}, 256, max_steps=T)


def test_grid_spans_the_window_with_the_policy_at_its_centre():
    g = landscape.grid(3.0, 5)
    assert g.shape == (25, 2)
    assert g.min() == -3.0 and g.max() == 3.0
    assert [0.0, 0.0] in g.tolist() and [-3.0, 1.5] in g.tolist()
    assert (g[:5, 0] == -3.0).all()  # a varies slowest


def test_update_directions_are_two_independent_sac_updates(sac_policy):
    settings = purd.Settings(batch_size=4, episode_length=T)
    d1, d2 = landscape.update_directions(sac_policy, settings)
    theta0 = sac.actor_params(sac_policy.agent)
    # theta0 + d1 is the SAC update drawn with the first direction key: the training update itself.
    update = purd.one_update(sac_policy, "sac", settings)
    first = update(jax.random.fold_in(
        landscape.direction_key(sac_policy, "update"), 0))
    for a, b, c in zip(*(jax.tree.leaves(x) for x in (theta0, d1, first))):
        np.testing.assert_allclose(a + b, c, atol=1e-6)
    norms = [sum(float(np.abs(x).sum()) for x in jax.tree.leaves(d)) for d in (d1, d2)]
    assert all(n > 0 for n in norms) and norms[0] != norms[1]

    # Grid point (a, b) is the policy theta0 + a d1 + b d2: (0, 0) the checkpoint, (1, 0) theta'.
    coords = np.array([[0, 0], [1, 0], [0, 1], [-2, 0.5]], np.float32)
    out = landscape.evaluate(sac_policy, d1, d2, coords, settings)
    env, start = make_env("hopper", "spring"), reference_state("hopper", "spring")
    for (a, b), got in zip(coords, out["return"]):
        params = jax.tree.map(lambda t, x, y: t + a * x + b * y, theta0, d1, d2)
        want = rollout_return(env, sac.policy, sac.with_actor_params(sac_policy.agent, params), start, T)["return"]
        np.testing.assert_allclose(got, want, rtol=1e-4)


def test_filter_normalised_directions_match_each_filters_norm(sac_policy):
    theta0 = sac.actor_params(sac_policy.agent)
    d = landscape.filter_normalised(theta0, jax.random.key(3))
    for p, x in zip(jax.tree.leaves(theta0), jax.tree.leaves(d)):
        if p.ndim < 2:
            assert not np.asarray(x).any()  # biases stay put (Li et al.)
        else:
            np.testing.assert_allclose(np.linalg.norm(x, axis=0), np.linalg.norm(p, axis=0), rtol=1e-5)
            assert not np.allclose(x, p)


def test_landscape_table_and_unknown_directions(sac_policy):
    settings = purd.Settings(batch_size=4, episode_length=T)
    table = landscape.landscape(sac_policy, "filter", 0.5, 3, settings)
    assert table.columns == ["a", "b", "return", "length"] and table.height == 9
    with pytest.raises(ValueError, match="unknown directions"):
        landscape.landscape(sac_policy, "pca", 0.5, 3, settings)
