"""A replay buffer held as JAX arrays inside the training carry; never overwritten (docs/protocol.md)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import struct

from workflow_lib.envs.carry import Transition


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


def buffer_add_seeds(buf: ReplayBuffer, trans: Transition, index: jax.Array) -> ReplayBuffer:
    """Append one transition per seed to a seed-batched buffer at a shared insertion point.

    Seeds of a job step in lockstep, so the index is one scalar: a vmapped per-seed write
    would become a scatter that XLA on the CPU does not keep in place (a full copy per step).
    """
    write = lambda d, x: jax.lax.dynamic_update_index_in_dim(d, x, index, 1)  # noqa: E731
    return ReplayBuffer(jax.tree.map(write, buf.data, trans), buf.size + 1)


def buffer_sample(buf: ReplayBuffer, key: jax.Array, batch_size: int, prefix=None) -> Transition:
    """A uniform minibatch from the first `prefix` transitions (default: all stored)."""
    limit = buf.size if prefix is None else prefix
    idx = jax.random.randint(key, (batch_size,), 0, limit)
    return jax.tree.map(lambda d: d[idx], buf.data)
