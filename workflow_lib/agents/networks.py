"""Flax networks shared by the agents: MLPs, deterministic and tanh-Gaussian actors, critics, and
the Nature CNN actor-critic of Atari PPO."""

from __future__ import annotations

import functools
from typing import Callable, Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp
import optax
from flax.training.train_state import TrainState

ACTIVATIONS: dict[str, Callable] = {"relu": nn.relu, "tanh": nn.tanh}


@functools.lru_cache(maxsize=None)
def shared(factory: Callable, *args, **kwargs):
    """factory(*args, **kwargs), made once per process for equal (hashable) arguments: for the
    modules and optimizers an agent state keeps in its static fields (a module's `apply`, a
    TrainState's `tx`). Two loads of a checkpoint must give states whose static fields compare
    equal, or every jitted program traces and lowers again for each checkpoint (9 s per policy of
    a tiny PPO PURD job on this CPU): a bound method compares its module by identity, and optax
    builds new closures on every call."""
    return factory(*args, **kwargs)


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
    """SAC's actor: mean and log-std, the log-std squashed smoothly into [min, max] (docs/protocol.md)."""

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
    """PPO's actor: mean from an MLP, state-independent log-std initialised to 0 (docs/protocol.md)."""

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


class NatureCNN(nn.Module):
    """The Nature DQN trunk (Mnih et al. 2015) as CleanRL's Atari PPO builds it: uint8 stacked
    frames (..., C, H, W) channels first, as stored, scaled to [0, 1]; three VALID convolutions
    (torch's default padding) and a 512-unit dense layer, all ReLU, orthogonal gain sqrt(2),
    zero biases. Any leading batch shape, or none."""

    @nn.compact
    def __call__(self, frames: jax.Array) -> jax.Array:
        lead = frames.shape[:-3]
        x = frames.reshape((-1,) + frames.shape[-3:]).astype(jnp.float32) / 255.0
        x = jnp.transpose(x, (0, 2, 3, 1))  # NCHW -> NHWC, flax's convolution layout
        init = nn.initializers.orthogonal(jnp.sqrt(2.0))
        for features, size, stride in ((32, 8, 4), (64, 4, 2), (64, 3, 1)):
            x = nn.relu(nn.Conv(features, (size, size), (stride, stride), padding="VALID", kernel_init=init)(x))
        x = nn.relu(nn.Dense(512, kernel_init=init)(x.reshape((x.shape[0], -1))))
        return x.reshape(lead + (512,))


class AtariActorCritic(nn.Module):
    """CleanRL's Atari agent: one NatureCNN trunk under a policy head (action logits, gain 0.01,
    so the initial policy is near uniform) and a value head (gain 1). Parameters: {"trunk",
    "actor", "critic"}; `logits` reads only the first two, `value` only the first and last."""

    action_size: int

    def setup(self):
        self.trunk = NatureCNN()
        self.actor = nn.Dense(self.action_size, kernel_init=nn.initializers.orthogonal(0.01))
        self.critic = nn.Dense(1, kernel_init=nn.initializers.orthogonal(1.0))

    def __call__(self, frames: jax.Array) -> tuple[jax.Array, jax.Array]:
        """(logits, value) from one pass through the trunk."""
        hidden = self.trunk(frames)
        return self.actor(hidden), self.critic(hidden)[..., 0]

    def logits(self, frames: jax.Array) -> jax.Array:
        return self.actor(self.trunk(frames))

    def value(self, frames: jax.Array) -> jax.Array:
        return self.critic(self.trunk(frames))[..., 0]


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
