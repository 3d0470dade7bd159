"""Flax networks shared by the agents: MLPs, deterministic and tanh-Gaussian actors, critics."""

from __future__ import annotations

from typing import Callable, Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp
import optax
from flax.training.train_state import TrainState

ACTIVATIONS: dict[str, Callable] = {"relu": nn.relu, "tanh": nn.tanh}


class MLP(nn.Module):
    """Orthogonally initialised MLP; the last layer's gain is set separately."""

    hidden: Sequence[int]
    out: int
    activation: str = "relu"
    out_scale: float = 1.0

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        act = ACTIVATIONS[self.activation]
        for width in self.hidden:
            x = act(nn.Dense(width, kernel_init=nn.initializers.orthogonal(jnp.sqrt(2.0)))(x))
        return nn.Dense(self.out, kernel_init=nn.initializers.orthogonal(self.out_scale))(x)


class DeterministicActor(nn.Module):
    """TD3's actor: tanh-squashed action in [-1, 1]."""

    hidden: Sequence[int]
    action_size: int

    @nn.compact
    def __call__(self, obs: jax.Array) -> jax.Array:
        return jnp.tanh(MLP(self.hidden, self.action_size)(obs))


class GaussianActor(nn.Module):
    """SAC's actor: mean and log-std, the log-std squashed smoothly into [min, max] (SPEC)."""

    hidden: Sequence[int]
    action_size: int
    log_std_min: float = -10.0
    log_std_max: float = 2.0

    @nn.compact
    def __call__(self, obs: jax.Array) -> tuple[jax.Array, jax.Array]:
        out = MLP(self.hidden, 2 * self.action_size)(obs)
        mean, raw = jnp.split(out, 2, axis=-1)
        span = self.log_std_max - self.log_std_min
        log_std = self.log_std_min + 0.5 * span * (jnp.tanh(raw) + 1.0)
        return mean, log_std


class TwinCritic(nn.Module):
    """Two independent Q(s, a) heads, stacked on the first axis."""

    hidden: Sequence[int]

    @nn.compact
    def __call__(self, obs: jax.Array, action: jax.Array) -> jax.Array:
        x = jnp.concatenate([obs, action], axis=-1)
        q1 = MLP(self.hidden, 1)(x)[..., 0]
        q2 = MLP(self.hidden, 1)(x)[..., 0]
        return jnp.stack([q1, q2])


class PPOActor(nn.Module):
    """PPO's actor: mean from an MLP, state-independent log-std initialised to 0 (SPEC)."""

    hidden: Sequence[int]
    action_size: int
    activation: str = "tanh"

    @nn.compact
    def __call__(self, obs: jax.Array) -> tuple[jax.Array, jax.Array]:
        mean = MLP(self.hidden, self.action_size, self.activation, out_scale=0.01)(obs)
        log_std = self.param("log_std", nn.initializers.zeros, (self.action_size,))
        return mean, jnp.broadcast_to(log_std, mean.shape)


class ValueNet(nn.Module):
    """PPO's critic V(s)."""

    hidden: Sequence[int]
    activation: str = "tanh"

    @nn.compact
    def __call__(self, obs: jax.Array) -> jax.Array:
        return MLP(self.hidden, 1, self.activation)(obs)[..., 0]


def train_state(module: nn.Module, key: jax.Array, tx: optax.GradientTransformation, *example) -> TrainState:
    """A TrainState of a freshly initialised `module` (shapes from the example inputs)."""
    return TrainState.create(apply_fn=module.apply, params=module.init(key, *example), tx=tx)


def actor_params(state) -> dict:
    """The policy's parameters of a state that keeps its actor in `state.actor` (TD3, SAC):
    what a post-update sample changes and an evaluation uses."""
    return state.actor.params


def with_actor_params(state, params: dict):
    """The state with other policy parameters (everything else shared)."""
    return state.replace(actor=state.actor.replace(params=params))
