"""Behaviour cloning of TD3 teachers on tiny problems: the loss's known zero, prefix-only data,
that training clones the teacher and logs at the right steps, that lockstep training of several
teachers is training each alone, the PURD update, reproducibility."""

import dataclasses
import logging

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from workflow_lib.agents import bc
from workflow_lib.studies import behaviour_cloning
from workflow_lib.agents import td3
from workflow_lib.core.trees import stack
from workflow_lib.agents.replay import ReplayBuffer, buffer_init

OBS, ACT, ROWS = 3, 2, 64
CFG = bc.BCConfig(hidden=(16, 16), learning_rate=3e-3, batch_size=32, steps=600, logs=3)


def teacher(seed: int) -> td3.TD3State:
    return td3.init(jax.random.key(seed), OBS, ACT, td3.TD3Config(hidden=CFG.hidden))


def buffer(size: int = ROWS, capacity: int = ROWS) -> ReplayBuffer:
    """Random observations in rows < size; NaN in rows >= size, so that any read of them shows."""
    buf = buffer_init(capacity, OBS, ACT)
    obs = jax.random.normal(jax.random.key(7), (capacity, OBS))
    obs = jnp.where(jnp.arange(capacity)[:, None] < size, obs, jnp.nan)
    return ReplayBuffer(buf.data.replace(obs=obs), jnp.asarray(size, jnp.int32))


def prefix_loss(state: bc.BCState, buf: ReplayBuffer) -> float:
    obs = buf.data.obs[: int(state.dataset_size)]
    return float(bc.loss(state.actor.params, state, obs))


def assert_trees_close(a, b, **tol):
    for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b), strict=True):
        np.testing.assert_allclose(x, y, **tol)


def test_a_clone_equal_to_its_teacher_has_zero_loss_and_does_not_move():
    state = bc.init(jax.random.key(0), teacher(1), ROWS, CFG)
    state = bc.with_actor_params(state, state.teacher)
    obs = buffer().data.obs[:32]
    np.testing.assert_array_equal(bc.policy(state, obs), bc.labels(state, obs))
    new, metrics = bc.update(state, obs)
    assert float(metrics["bc_loss"]) == 0.0
    assert_trees_close(new.actor.params, state.actor.params, rtol=0, atol=0)  # zero gradient: an Adam step of 0
    assert int(new.actor.step) == 1


def test_the_clone_is_fresh_and_needs_the_teachers_architecture():
    t = teacher(1)
    state = bc.init(jax.random.key(0), t, 10, CFG)
    assert int(state.dataset_size) == 10 and state.dataset_size.dtype == jnp.int32
    assert_trees_close(state.teacher, td3.actor_params(t), rtol=0, atol=0)
    assert not np.allclose(bc.policy(state, buffer().data.obs[:8]), td3.policy(t, buffer().data.obs[:8]))
    with pytest.raises(ValueError, match="architecture"):
        bc.init(jax.random.key(0), t, 10, dataclasses.replace(CFG, hidden=(8, 16)))


def test_minibatches_come_from_the_prefix_only():
    size, buf = 10, buffer(size=10)
    state = bc.init(jax.random.key(0), teacher(1), size, CFG)
    rows = np.concatenate([np.asarray(bc.minibatch(state, buf, k)) for k in jax.random.split(jax.random.key(3), 20)])
    assert rows.shape == (20 * CFG.batch_size, OBS) and not np.isnan(rows).any()
    # Every prefix row is drawn (uniform over the 10), none other.
    assert {r.tobytes() for r in rows} == {r.tobytes() for r in np.asarray(buf.data.obs[:size])}
    _, _, metrics = jax.jit(lambda s, k: bc.train_chunk(s, buf, k, 20))(state, jax.random.key(4))
    assert np.isfinite(float(metrics["bc_loss"]))


@pytest.fixture(scope="module")
def trained():
    """Clones of two teachers with different collection times, trained together, and the inputs."""
    buf = buffer()
    states = [bc.init(jax.random.key(10 + i), teacher(i), size, CFG) for i, size in enumerate((20, ROWS))]
    keys = [behaviour_cloning.clone_key("probe", 0, int(s.dataset_size)) for s in states]
    log, records = logging.getLogger("test_bc"), Records()
    log.setLevel(logging.INFO)
    log.addHandler(records)
    logged = behaviour_cloning.train_clones(stack(states), buf, stack(keys), log)
    log.removeHandler(records)
    return buf, states, keys, logged, records.messages


class Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_training_clones_the_teacher_and_logs_at_the_right_steps(trained):
    buf, states, _, logged, messages = trained
    assert len(logged) == CFG.logs
    assert [m.split(",")[0] for m in messages] == [f"bc: {200 * (j + 1)}/600 steps" for j in range(3)]
    assert all(len(m.split("bc_loss ")[1].split(",")[0].split()) == 2 for m in messages)  # one loss per teacher
    for j, clones in enumerate(logged):
        np.testing.assert_array_equal(clones.actor.step, CFG.steps * (j + 1) // CFG.logs)
    for i, start in enumerate(states):
        end = jax.tree.map(lambda x, i=i: x[i], logged[-1])
        before, after = prefix_loss(start, buf), prefix_loss(end, buf)
        assert after < 0.1 * before, (i, before, after)
        assert_trees_close(end.teacher, start.teacher, rtol=0, atol=0)  # the teacher stays frozen
        assert int(end.dataset_size) == int(start.dataset_size)


def test_lockstep_training_is_training_each_teacher_alone(trained):
    buf, states, keys, logged, _ = trained
    for i, (state, key) in enumerate(zip(states, keys)):
        alone = behaviour_cloning.train_clones(stack([state]), buf, stack([key]))
        for together, single in zip(logged, alone, strict=True):
            assert_trees_close(jax.tree.map(lambda x, i=i: x[i], together), jax.tree.map(lambda x: x[0], single),
                               rtol=1e-5, atol=1e-6)


def test_training_is_reproducible_and_depends_on_the_key(trained):
    buf, states, keys, logged, _ = trained
    again = behaviour_cloning.train_clones(stack(states), buf, stack(keys))
    assert_trees_close(again[-1].actor.params, logged[-1].actor.params, rtol=0, atol=0)
    other = behaviour_cloning.train_clones(stack(states), buf, stack(jax.random.split(jax.random.key(99), 2)))
    assert not np.allclose(jax.tree.leaves(other[0].actor.params)[0], jax.tree.leaves(logged[0].actor.params)[0])


def test_clone_keys_differ_per_env_seed_and_teacher_step():
    data = lambda *a: tuple(np.asarray(jax.random.key_data(behaviour_cloning.clone_key(*a))))  # noqa: E731
    keys = {data("probe", 0, 100), data("probe", 0, 200), data("probe", 1, 100), data("hopper", 0, 100)}
    assert len(keys) == 4 and data("probe", 0, 100) == data("probe", 0, 100)


def test_post_update_is_one_bc_step_on_a_fresh_minibatch():
    buf = buffer()
    state = bc.init(jax.random.key(0), teacher(1), 40, CFG)
    state, _ = bc.update(state, buf.data.obs[:32])  # a non-trivial Adam state, as a logged clone has
    key = jax.random.key(5)
    got = jax.jit(bc.post_update)(state, buf, key)
    expected = bc.actor_params(bc.update(state, bc.minibatch(state, buf, key))[0])
    assert_trees_close(got, expected, rtol=1e-6, atol=1e-7)
    other = bc.post_update(state, buf, jax.random.key(6))
    assert not np.allclose(jax.tree.leaves(other)[0], jax.tree.leaves(got)[0])
    assert not np.allclose(jax.tree.leaves(got)[0], jax.tree.leaves(state.actor.params)[0])
