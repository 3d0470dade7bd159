"""Pytree helpers shared by learners and loops: strong types, stacking, a map over seeds."""

from __future__ import annotations

import jax
import jax.numpy as jnp


def strong_types(tree):
    """The same pytree with no weakly typed leaves, so a chunk's output carry has exactly its
    input's types (a weak-type change would recompile the chunk at every call)."""
    return jax.tree.map(lambda x: jnp.asarray(x, dtype=jnp.result_type(x)), tree)


def stack(trees):
    """Pytrees of equal structure stacked along a new leading axis (seeds, teachers, logs)."""
    return jax.tree.map(lambda *xs: jnp.stack(xs), *trees)


def over_seeds(f):
    """f over the leading (seed) axis of every argument: jax.vmap on accelerators; on the CPU,
    f once per seed, unbatched, results stacked. XLA's CPU matmuls with a batch axis ran
    slower than plain ones: a SAC update scan did 232 vs 270 updates/s at batch 1, and 3 TD3
    seeds trained at 224 vmapped vs 252 seed-updates/s this way (hopper, 2 cores)."""

    def mapped(*args):
        if jax.default_backend() != "cpu":
            return jax.vmap(f)(*args)
        n = jax.tree.leaves(args)[0].shape[0]
        outs = [f(*jax.tree.map(lambda x, i=i: x[i], args)) for i in range(n)]
        return stack(outs)

    return mapped
