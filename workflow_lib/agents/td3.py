"""TD3 (Fujimoto et al. 2018) with the settings of docs/protocol.md: init, the training update, the actor step."""

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
    DeterministicActor, TwinCritic, actor_params, shared, train_state, with_actor_params,
)


@dataclasses.dataclass(frozen=True)
class TD3Config:
    """Hyperparameters (Table 1 / docs/protocol.md); static inside jitted code."""

    hidden: tuple[int, ...] = (256, 256)
    learning_rate: float = 3e-4
    adam_eps: float = 1e-8
    batch_size: int = 256
    gamma: float = 0.99
    tau: float = 0.005
    policy_noise: float = 0.2
    noise_clip: float = 0.5
    policy_delay: int = 2
    exploration_noise: float = 0.1


@struct.dataclass
class TD3State:
    """Everything one more update needs: networks, targets (actor too), optimizer states."""

    actor: TrainState
    critic: TrainState
    target_actor: dict
    target_critic: dict
    config: TD3Config = struct.field(pytree_node=False)


def init(key: jax.Array, obs_size: int, action_size: int, config: TD3Config = TD3Config()) -> TD3State:
    """Fresh networks and Adam states; targets start equal to the online networks."""
    k_actor, k_critic = jax.random.split(key)
    obs, act = jnp.zeros((1, obs_size)), jnp.zeros((1, action_size))
    tx = shared(optax.adam, config.learning_rate, eps=config.adam_eps)
    actor = train_state(shared(DeterministicActor, config.hidden, action_size), k_actor, tx, obs)
    critic = train_state(shared(TwinCritic, config.hidden), k_critic, tx, obs, act)
    return TD3State(actor, critic, actor.params, critic.params, config)


def policy(state: TD3State, obs: jax.Array) -> jax.Array:
    """The deterministic policy."""
    return state.actor.apply_fn(state.actor.params, obs)


def explore(state: TD3State, obs: jax.Array, key: jax.Array) -> jax.Array:
    """Behaviour action: deterministic action plus Gaussian exploration noise, clipped."""
    action = policy(state, obs)
    noise = state.config.exploration_noise * jax.random.normal(key, action.shape)
    return jnp.clip(action + noise, -1.0, 1.0)


def critic_update(state: TD3State, batch: Transition, key: jax.Array) -> tuple[TD3State, dict]:
    """One clipped double-Q step on the twin critic against the target networks."""
    cfg = state.config
    noise = jnp.clip(cfg.policy_noise * jax.random.normal(key, batch.action.shape), -cfg.noise_clip, cfg.noise_clip)
    next_action = jnp.clip(state.actor.apply_fn(state.target_actor, batch.next_obs) + noise, -1.0, 1.0)
    next_q = jnp.min(state.critic.apply_fn(state.target_critic, batch.next_obs, next_action), axis=0)
    target = jax.lax.stop_gradient(batch.reward + cfg.gamma * (1.0 - batch.terminal) * next_q)

    def loss_fn(params):
        q = state.critic.apply_fn(params, batch.obs, batch.action)
        return jnp.mean(jnp.sum(jnp.square(q - target), axis=0)), jnp.mean(q)

    (loss, q_mean), grads = jax.value_and_grad(loss_fn, has_aux=True)(state.critic.params)
    return state.replace(critic=state.critic.apply_gradients(grads=grads)), {"critic_loss": loss, "q": q_mean}


def actor_update(state: TD3State, batch: Transition) -> tuple[TD3State, dict]:
    """One actor step, critic frozen: loss -mean(min(Q1, Q2)) (docs/protocol.md). This is TD3's PURD update."""

    def loss_fn(params):
        action = state.actor.apply_fn(params, batch.obs)
        return -jnp.mean(jnp.min(state.critic.apply_fn(state.critic.params, batch.obs, action), axis=0))

    loss, grads = jax.value_and_grad(loss_fn)(state.actor.params)
    return state.replace(actor=state.actor.apply_gradients(grads=grads)), {"actor_loss": loss}


def target_update(state: TD3State) -> TD3State:
    """Polyak averaging of both targets with rate tau."""
    ema = lambda t, p: optax.incremental_update(p, t, state.config.tau)  # noqa: E731
    return state.replace(
        target_actor=ema(state.target_actor, state.actor.params),
        target_critic=ema(state.target_critic, state.critic.params),
    )


def update(state: TD3State, batch: Transition, key: jax.Array, actor_step: bool | None = None) -> tuple[TD3State, dict]:
    """One training update: critic step, then every policy_delay-th update the actor and targets.

    actor_step=None decides from the update count (lax.cond). The training loop passes a
    static bool instead: under vmap over seeds a cond would turn into computing both branches.
    """
    state, metrics = critic_update(state, batch, key)

    def delayed(s):
        s, m = actor_update(s, batch)
        return target_update(s), m["actor_loss"]

    if actor_step is None:
        due = state.critic.step % state.config.policy_delay == 0
        state, actor_loss = jax.lax.cond(due, delayed, lambda s: (s, jnp.nan), state)
    elif actor_step:
        state, actor_loss = delayed(state)
    else:
        actor_loss = jnp.nan
    return state, {**metrics, "actor_loss": actor_loss}


def post_update(state: TD3State, buffer: ReplayBuffer, key: jax.Array, env: Env, max_steps: int) -> dict:
    """The actor parameters after one update (docs/protocol.md, "One update"): one actor step on a fresh
    minibatch of the stored data, the critic fixed. One PURD sample; env and max_steps unused."""
    batch = buffer_sample(buffer, key, state.config.batch_size)
    return actor_params(actor_update(state, batch)[0])
