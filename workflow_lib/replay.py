"""A replay buffer held as JAX arrays inside the training carry; never overwritten (SPEC)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import struct

from workflow_lib.envs import Transition


@struct.dataclass
class ReplayBuffer:
    """Transitions stored in insertion order; `size` is the insertion point."""

    data: Transition
    size: jax.Array


def buffer_init(capacity: int, obs_size: int, action_size: int) -> ReplayBuffer:
    """An empty buffer for `capacity` transitions."""
    z = lambda *shape: jnp.zeros((capacity, *shape), jnp.float32)  # noqa: E731
    data = Transition(z(obs_size), z(action_size), z(), z(obs_size), z(), z())
    return ReplayBuffer(data, jnp.zeros((), jnp.int32))


def buffer_add(buf: ReplayBuffer, trans: Transition) -> ReplayBuffer:
    """Append one transition at the insertion point."""
    data = jax.tree.map(lambda d, x: jax.lax.dynamic_update_index_in_dim(d, x, buf.size, 0), buf.data, trans)
    return ReplayBuffer(data, buf.size + 1)


def buffer_sample(buf: ReplayBuffer, key: jax.Array, batch_size: int, prefix=None) -> Transition:
    """A uniform minibatch from the first `prefix` transitions (default: all stored)."""
    limit = buf.size if prefix is None else prefix
    idx = jax.random.randint(key, (batch_size,), 0, limit)
    return jax.tree.map(lambda d: d[idx], buf.data)
