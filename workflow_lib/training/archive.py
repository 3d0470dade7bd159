"""The archive of full training-env states kept during off-policy training (Figure 10)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from brax.envs.base import State
from flax import struct


@struct.dataclass
class StateArchive:
    """Full training-env states kept during training, so that a rollout can start exactly where
    the stored transition k * every was taken (Figure 10): observations alone cannot restore the
    physics (the spring and positional pipelines integrate maximal coordinates, which drift
    from what q and qd give). Slot k holds the state transition k * every started from; the
    last slot is scratch, written at every other step so that the write needs no cond."""

    states: State  # axis of slots: slots + 1 (after the seed axis, where there is one)
    every: int = struct.field(pytree_node=False)
    slots: int = struct.field(pytree_node=False)


def archive_init(state: State, capacity: int, every: int) -> StateArchive | None:
    """An archive of `state`-shaped slots for the collection times 0, every, ... < capacity (None
    when every is 0: nothing is kept)."""
    if not every:
        return None
    slots = -(-capacity // every)
    return StateArchive(jax.tree.map(lambda x: jnp.zeros((slots + 1, *x.shape), x.dtype), state), every, slots)


def archive_add_seeds(archive: StateArchive | None, states: State, t: jax.Array) -> StateArchive | None:
    """Keep the seeds' env states (leading seed axis) if collection time t is a multiple of every."""
    if archive is None:
        return None
    slot = jnp.where(t % archive.every == 0, t // archive.every, archive.slots)
    write = lambda a, x: jax.lax.dynamic_update_index_in_dim(a, x, slot, 1)  # noqa: E731
    return archive.replace(states=jax.tree.map(write, archive.states, states))
