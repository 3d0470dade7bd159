"""Checkpoint files: exact round trips, and clear errors that name the file."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from workflow_lib.core import checkpoint
from workflow_lib.agents.registry import ALGORITHMS
from workflow_lib.envs.native import make_env
from workflow_lib.training.loops import carry_init
from workflow_lib.training.files import checkpoint_state, load_checkpoint, template

META = {"env": "probe", "backend": "none", "algo": "td3", "seed": 0, "step": 5, "episode_length": 1,
        "hyperparameters": {"hidden": [8], "batch_size": 4}}


def fresh_state():
    algo = ALGORITHMS["td3"]
    hp = algo.make_config(META["hyperparameters"])
    return checkpoint_state(carry_init(algo, make_env("probe", "none"), hp, jax.random.key(7), 1))


def assert_trees_equal(a, b):
    la, lb = jax.tree.leaves(a), jax.tree.leaves(b)
    assert len(la) == len(lb)
    for x, y in zip(la, lb):
        x, y = jnp.asarray(x), jnp.asarray(y)
        if jax.dtypes.issubdtype(x.dtype, jax.dtypes.prng_key):
            x, y = jax.random.key_data(x), jax.random.key_data(y)
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))


def test_round_trip_is_exact(tmp_path):
    state = fresh_state()
    checkpoint.save(tmp_path / "c.msgpack", "agent", META, state)
    meta, loaded = load_checkpoint(tmp_path / "c.msgpack")
    assert meta == META
    assert_trees_equal(state, loaded)
    assert set(loaded) == {"agent", "env", "key", "steps", "buffer_size"}
    # The target actor is part of a TD3 checkpoint (docs/protocol.md, "Training").
    assert jax.tree.leaves(loaded["agent"].target_actor)


def test_truncated_file_names_the_file(tmp_path):
    path = tmp_path / "c.msgpack"
    checkpoint.save(path, "agent", META, fresh_state())
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(checkpoint.CheckpointError, match=str(path)):
        load_checkpoint(path)


def test_foreign_and_missing_files(tmp_path):
    other = tmp_path / "other.msgpack"
    other.write_bytes(b"\x81\xa1a\x01")  # a valid msgpack map of another format
    with pytest.raises(checkpoint.CheckpointError, match="not a return-landscapes-checkpoint"):
        load_checkpoint(other)
    with pytest.raises(checkpoint.CheckpointError, match="no such checkpoint"):
        load_checkpoint(tmp_path / "missing.msgpack")


def test_wrong_kind_and_shape(tmp_path):
    path = tmp_path / "c.msgpack"
    checkpoint.save(path, "replay", META, fresh_state())
    with pytest.raises(checkpoint.CheckpointError, match="expected 'agent'"):
        load_checkpoint(path)
    checkpoint.save(path, "agent", {**META, "hyperparameters": {"hidden": [9], "batch_size": 4}}, fresh_state())
    with pytest.raises(checkpoint.CheckpointError, match=r"expected float32\[2, 9\]|expected float32\[9"):
        load_checkpoint(path)


def test_template_matches_saved_structure():
    paths = lambda tree: [p for p, _ in jax.tree_util.tree_flatten_with_path(tree)[0]]  # noqa: E731
    assert paths(checkpoint_state(template(META))) == paths(fresh_state())
