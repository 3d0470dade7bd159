"""Root keys of runs: a module of its own so that learners (bc) can derive keys without importing
the training code that imports them."""

from __future__ import annotations

import hashlib

import jax


def seed_key(env: str, algo: str, seed: int) -> jax.Array:
    """The root key of a run, derived from (env, algo, seed) so runs never share randomness."""
    salt = int.from_bytes(hashlib.sha256(f"{env}/{algo}".encode()).digest()[:4], "little")
    return jax.random.fold_in(jax.random.key(seed), salt)
