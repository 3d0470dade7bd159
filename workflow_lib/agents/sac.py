"""SAC (Haarnoja et al. 2018) with the settings of docs/protocol.md: init, the training update, the actor step."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import optax
from brax.envs.base import Env
from flax import struct
from flax.training.train_state import TrainState

from workflow_lib.agents.replay import ReplayBuffer, buffer_sample
from workflow_lib.envs.carry import Transition
from workflow_lib.agents.networks import (  # noqa: F401  (actor accessors: this module's PURD interface)
    GaussianActor, TwinCritic, actor_params, shared, train_state, with_actor_params,
)


@dataclasses.dataclass(frozen=True)
class SACConfig:
    """Hyperparameters (Table 1 / docs/protocol.md); static inside jitted code."""

    hidden: tuple[int, ...] = (256, 256)
    learning_rate: float = 3e-4
    adam_eps: float = 1e-8
    batch_size: int = 256
    gamma: float = 0.99
    tau: float = 0.005
    init_temperature: float = 1.0
    target_entropy_scale: float = 0.5  # target entropy = -scale * |A|
    policy_delay: int = 1  # SAC updates actor and targets every step


@struct.dataclass
class SACState:
    """Networks, targets, optimizer states and the (log) temperature with its optimizer."""

    actor: TrainState
    critic: TrainState
    target_critic: dict
    log_alpha: TrainState
    action_size: int = struct.field(pytree_node=False)
    config: SACConfig = struct.field(pytree_node=False)


def init(key: jax.Array, obs_size: int, action_size: int, config: SACConfig = SACConfig()) -> SACState:
    """Fresh networks and Adam states, temperature at its initial value."""
    k_actor, k_critic = jax.random.split(key)
    obs, act = jnp.zeros((1, obs_size)), jnp.zeros((1, action_size))
    tx = shared(optax.adam, config.learning_rate, eps=config.adam_eps)
    actor = train_state(shared(GaussianActor, config.hidden, action_size), k_actor, tx, obs)
    critic = train_state(shared(TwinCritic, config.hidden), k_critic, tx, obs, act)
    log_alpha = TrainState.create(
        apply_fn=None, params={"log_alpha": jnp.log(jnp.asarray(config.init_temperature, jnp.float32))}, tx=tx
    )
    return SACState(actor, critic, critic.params, log_alpha, action_size, config)


def policy(state: SACState, obs: jax.Array) -> jax.Array:
    """The deterministic policy tanh(mean)."""
    return jnp.tanh(state.actor.apply_fn(state.actor.params, obs)[0])


def _sample(state: SACState, params: dict, obs: jax.Array, key: jax.Array) -> tuple[jax.Array, jax.Array]:
    """A reparameterised tanh-Gaussian action and its log-probability."""
    mean, log_std = state.actor.apply_fn(params, obs)
    std = jnp.exp(log_std)
    pre = mean + std * jax.random.normal(key, mean.shape)
    action = jnp.tanh(pre)
    logp = -0.5 * jnp.square((pre - mean) / std) - log_std - 0.5 * jnp.log(2 * jnp.pi)
    # log|d tanh/dx| = 2 (log 2 - x - softplus(-2x)), the numerically stable form.
    logp -= 2.0 * (jnp.log(2.0) - pre - jax.nn.softplus(-2.0 * pre))
    return action, jnp.sum(logp, axis=-1)


def explore(state: SACState, obs: jax.Array, key: jax.Array) -> jax.Array:
    """Behaviour action: a sample of the stochastic policy."""
    return _sample(state, state.actor.params, obs, key)[0]


def critic_update(state: SACState, batch: Transition, key: jax.Array) -> tuple[SACState, dict]:
    """One soft clipped double-Q step against the target critic."""
    alpha = jnp.exp(state.log_alpha.params["log_alpha"])
    next_action, next_logp = _sample(state, state.actor.params, batch.next_obs, key)
    next_q = jnp.min(state.critic.apply_fn(state.target_critic, batch.next_obs, next_action), axis=0)
    soft = next_q - alpha * next_logp
    target = jax.lax.stop_gradient(batch.reward + state.config.gamma * (1.0 - batch.terminal) * soft)

    def loss_fn(params):
        q = state.critic.apply_fn(params, batch.obs, batch.action)
        return jnp.mean(jnp.sum(jnp.square(q - target), axis=0)), jnp.mean(q)

    (loss, q_mean), grads = jax.value_and_grad(loss_fn, has_aux=True)(state.critic.params)
    return state.replace(critic=state.critic.apply_gradients(grads=grads)), {"critic_loss": loss, "q": q_mean}


def actor_update(state: SACState, batch: Transition, key: jax.Array) -> tuple[SACState, dict]:
    """One actor step, critic and temperature frozen. This is SAC's PURD update (docs/protocol.md)."""
    alpha = jnp.exp(state.log_alpha.params["log_alpha"])

    def loss_fn(params):
        action, logp = _sample(state, params, batch.obs, key)
        q = jnp.min(state.critic.apply_fn(state.critic.params, batch.obs, action), axis=0)
        return jnp.mean(alpha * logp - q), jnp.mean(logp)

    (loss, logp), grads = jax.value_and_grad(loss_fn, has_aux=True)(state.actor.params)
    return state.replace(actor=state.actor.apply_gradients(grads=grads)), {"actor_loss": loss, "logp": logp}


def temperature_update(state: SACState, logp: jax.Array) -> tuple[SACState, dict]:
    """Move log-alpha so that the policy entropy tracks the target entropy -scale*|A|."""
    target = -state.config.target_entropy_scale * state.action_size
    grad = -jax.lax.stop_gradient(logp + target)  # d/dlog_alpha of -log_alpha * (logp + target)
    log_alpha = state.log_alpha.apply_gradients(grads={"log_alpha": grad})
    return state.replace(log_alpha=log_alpha), {"alpha": jnp.exp(log_alpha.params["log_alpha"])}


def target_update(state: SACState) -> SACState:
    """Polyak averaging of the target critic with rate tau."""
    return state.replace(target_critic=optax.incremental_update(state.critic.params, state.target_critic, state.config.tau))


def update(state: SACState, batch: Transition, key: jax.Array, actor_step: bool | None = None) -> tuple[SACState, dict]:
    """One training update: critic, actor, temperature, target (every step; actor_step is unused)."""
    del actor_step
    k_critic, k_actor = jax.random.split(key)
    state, m_critic = critic_update(state, batch, k_critic)
    state, m_actor = actor_update(state, batch, k_actor)
    state, m_alpha = temperature_update(state, m_actor["logp"])
    return target_update(state), {**m_critic, **m_actor, **m_alpha}


def post_update(state: SACState, buffer: ReplayBuffer, key: jax.Array, env: Env, max_steps: int) -> dict:
    """The actor parameters after one update (docs/protocol.md, "One update"): one actor step on a fresh
    minibatch with fresh reparameterisation noise. One PURD sample; env and max_steps unused."""
    k_batch, k_noise = jax.random.split(key)
    batch = buffer_sample(buffer, k_batch, state.config.batch_size)
    return actor_params(actor_update(state, batch, k_noise)[0])
