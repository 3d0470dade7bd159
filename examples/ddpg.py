"""DDPG (Lillicrap et al. 2016, with Fujimoto et al.'s Gaussian exploration): the worked example
of a learner added to the pipeline (README, "Add your own learner"; tests/test_own_learner.py).

The module implements the learner protocol of workflow_lib/agents/registry.py: init, update,
policy, explore, actor_params, with_actor_params and post_update (one actor step: the update whose
post-update return distribution the pipeline samples). The off-policy training loop reads
`config.batch_size` and `config.policy_delay` (here 1: every update moves the actor).
"""

from __future__ import annotations

import dataclasses
from typing import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp
import optax
from flax import struct
from flax.training.train_state import TrainState

from workflow_lib.agents.networks import MLP, DeterministicActor, actor_params, shared, train_state, with_actor_params  # noqa: F401
from workflow_lib.agents.replay import buffer_sample


@dataclasses.dataclass(frozen=True)
class DDPGConfig:
    """Hyperparameters; every field can be set from the learner's config section."""

    hidden: tuple[int, ...] = (256, 256)
    learning_rate: float = 3e-4
    adam_eps: float = 1e-8
    batch_size: int = 256
    gamma: float = 0.99
    tau: float = 0.005
    exploration_noise: float = 0.1
    policy_delay: int = 1  # read by the off-policy loop: DDPG moves the actor at every update


class Critic(nn.Module):
    """One Q(s, a) head."""

    hidden: Sequence[int]

    @nn.compact
    def __call__(self, obs, action):
        return MLP(self.hidden, 1)(jnp.concatenate([obs, action], axis=-1))[..., 0]


@struct.dataclass
class DDPGState:
    actor: TrainState
    critic: TrainState
    target_actor: dict
    target_critic: dict
    config: DDPGConfig = struct.field(pytree_node=False)


def init(key, obs_size: int, action_size: int, config: DDPGConfig = DDPGConfig()) -> DDPGState:
    k_actor, k_critic = jax.random.split(key)
    obs, act = jnp.zeros((1, obs_size)), jnp.zeros((1, action_size))
    tx = shared(optax.adam, config.learning_rate, eps=config.adam_eps)  # shared: see networks.shared
    actor = train_state(shared(DeterministicActor, config.hidden, action_size), k_actor, tx, obs)
    critic = train_state(shared(Critic, config.hidden), k_critic, tx, obs, act)
    return DDPGState(actor, critic, actor.params, critic.params, config)


def policy(state: DDPGState, obs):
    return state.actor.apply_fn(state.actor.params, obs)


def explore(state: DDPGState, obs, key):
    action = policy(state, obs)
    return jnp.clip(action + state.config.exploration_noise * jax.random.normal(key, action.shape), -1.0, 1.0)


def actor_update(state: DDPGState, batch) -> tuple[DDPGState, dict]:
    """One actor step on -mean Q(s, mu(s)), the critic frozen."""

    def loss_fn(params):
        return -jnp.mean(state.critic.apply_fn(state.critic.params, batch.obs, state.actor.apply_fn(params, batch.obs)))

    loss, grads = jax.value_and_grad(loss_fn)(state.actor.params)
    return state.replace(actor=state.actor.apply_gradients(grads=grads)), {"actor_loss": loss}


def update(state: DDPGState, batch, key, actor_step=None) -> tuple[DDPGState, dict]:
    """Critic step on the one-step TD target of the target networks, actor step, Polyak targets
    (key and actor_step unused: DDPG's update has no noise and no delay)."""
    cfg = state.config
    next_q = state.critic.apply_fn(state.target_critic, batch.next_obs, state.actor.apply_fn(state.target_actor, batch.next_obs))
    target = jax.lax.stop_gradient(batch.reward + cfg.gamma * (1.0 - batch.terminal) * next_q)
    loss, grads = jax.value_and_grad(
        lambda p: jnp.mean(jnp.square(state.critic.apply_fn(p, batch.obs, batch.action) - target)))(state.critic.params)
    state = state.replace(critic=state.critic.apply_gradients(grads=grads))
    state, metrics = actor_update(state, batch)
    ema = lambda t, p: optax.incremental_update(p, t, cfg.tau)  # noqa: E731
    state = state.replace(target_actor=ema(state.target_actor, state.actor.params),
                          target_critic=ema(state.target_critic, state.critic.params))
    return state, {"critic_loss": loss, **metrics}


def post_update(state: DDPGState, buffer, key, env, max_steps: int):
    """One PURD sample's update: one actor step on a fresh minibatch of the stored data."""
    return actor_params(actor_update(state, buffer_sample(buffer, key, state.config.batch_size))[0])
