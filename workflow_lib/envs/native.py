"""Brax environments (the JAX-native family): construction and the reference start state s_I."""

from __future__ import annotations

import functools

import jax
from brax import envs as brax_envs
from brax.envs.base import Env, State

from workflow_lib.envs.probe import ProbeEnv

BRAX_ENVS = ("ant", "halfcheetah", "hopper", "walker2d")
# "probe" is a one-step task with a known optimal policy, for tests (see probe.py).
ENV_NAMES = BRAX_ENVS + ("probe",)


def make_env(name: str, backend: str, reset_noise_scale: float | None = None) -> Env:
    """The raw env (no wrappers); reset_noise_scale=None keeps the env's own reset noise."""
    kwargs = {} if reset_noise_scale is None else {"reset_noise_scale": reset_noise_scale}
    if name == "probe":
        return ProbeEnv(**kwargs)
    if name not in BRAX_ENVS:
        raise ValueError(f"unknown env {name!r}; expected one of {ENV_NAMES}")
    return brax_envs.get_environment(name, backend=backend, **kwargs)


@functools.lru_cache(maxsize=8)
def reference_state(name: str, backend: str) -> State:
    """s_I: the reset with the noise scale set to 0, identical for every evaluation (docs/protocol.md)."""
    env = make_env(name, backend, reset_noise_scale=0.0)
    return jax.jit(env.reset)(jax.random.key(0))
