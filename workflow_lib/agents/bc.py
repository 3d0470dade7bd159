"""Behaviour cloning of TD3 policies (appendix A.7).

A clone of the teacher checkpointed at step S is a fresh DeterministicActor trained on the
observations logged before the teacher was collected, the replay prefix [0, S), labelled with the
teacher's deterministic action, by Adam on the mean squared error for `steps` updates; `logs`
clones are kept evenly through training (after steps * (j + 1) / logs updates). A clone's PURD
update is one more step of the same objective on a fresh minibatch of the prefix, from the logged
Adam state: `post_update`. The module offers policy / actor_params / with_actor_params, so
the PURD engine uses it like an algorithm module.

The clone has the teacher's architecture (BCConfig.hidden must equal the teacher's TD3Config.hidden;
`init` checks), so the teacher is only its parameters, applied by the clone's own apply_fn. Labels
are computed on the fly: the same as relabelling the dataset, without a relabelled copy of it.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import optax
from flax import struct
from flax.training.train_state import TrainState

from workflow_lib.core.trees import strong_types
from workflow_lib.agents.networks import (  # noqa: F401  (actor accessors: this module's PURD interface)
    DeterministicActor, actor_params, shared, train_state, with_actor_params,
)
from workflow_lib.agents.replay import ReplayBuffer, buffer_sample


@dataclasses.dataclass(frozen=True)
class BCConfig:
    """Hyperparameters of behaviour cloning; static inside jitted code."""

    hidden: tuple[int, ...] = (256, 256)
    learning_rate: float = 3e-4
    adam_eps: float = 1e-8
    batch_size: int = 256
    steps: int = 1_000_000
    logs: int = 10


@struct.dataclass
class BCState:
    """One clone: its network and Adam state, the teacher's frozen actor parameters, and the
    teacher's collection time S (the dataset is the replay prefix [0, S))."""

    actor: TrainState
    teacher: dict
    dataset_size: jax.Array
    config: BCConfig = struct.field(pytree_node=False)


def init(key: jax.Array, teacher, dataset_size, config: BCConfig = BCConfig()) -> BCState:
    """A fresh clone of `teacher` (a TD3 agent) to be trained on the prefix [0, dataset_size)."""
    params = actor_params(teacher)
    layers = params["params"]["MLP_0"]
    obs_size = layers["Dense_0"]["kernel"].shape[0]
    action_size = layers[f"Dense_{len(layers) - 1}"]["kernel"].shape[1]
    # Clones of different teachers have equal static parts (networks.shared), so they stack with
    # jax.tree.map and reuse each other's compiled programs.
    module = shared(DeterministicActor, config.hidden, action_size)
    tx = shared(optax.adam, config.learning_rate, eps=config.adam_eps)
    actor = train_state(module, key, tx, jnp.zeros((1, obs_size)))
    if jax.tree.map(jnp.shape, actor.params) != jax.tree.map(jnp.shape, params):
        raise ValueError(f"BC hidden={config.hidden} must be the teacher's architecture (its actor labels the data)")
    return strong_types(BCState(actor, params, jnp.asarray(dataset_size, jnp.int32), config))


def policy(state: BCState, obs: jax.Array) -> jax.Array:
    """The clone's deterministic action."""
    return state.actor.apply_fn(state.actor.params, obs)


def labels(state: BCState, obs: jax.Array) -> jax.Array:
    """The teacher's deterministic action: the dataset's action after relabelling."""
    return state.actor.apply_fn(state.teacher, obs)


def loss(params: dict, state: BCState, obs: jax.Array) -> jax.Array:
    """Mean squared error of the clone with `params` against the teacher, over batch and action dims."""
    return jnp.mean(jnp.square(state.actor.apply_fn(params, obs) - labels(state, obs)))


def update(state: BCState, obs: jax.Array) -> tuple[BCState, dict]:
    """One Adam step on the BC loss of a batch of observations."""
    value, grads = jax.value_and_grad(loss)(state.actor.params, state, obs)
    return state.replace(actor=state.actor.apply_gradients(grads=grads)), {"bc_loss": value}


def minibatch(state: BCState, buffer: ReplayBuffer, key: jax.Array) -> jax.Array:
    """batch_size observations drawn uniformly from the prefix [0, dataset_size)."""
    return buffer_sample(buffer, key, state.config.batch_size, prefix=state.dataset_size).obs


def post_update(state: BCState, buffer: ReplayBuffer, key: jax.Array, env=None, max_steps: int = 0) -> dict:
    """The clone's parameters after one BC step on a fresh minibatch of its prefix: one PURD
    sample's update (env and max_steps unused)."""
    return actor_params(update(state, minibatch(state, buffer, key))[0])


def train_chunk(state: BCState, buffer: ReplayBuffer, key: jax.Array, n_steps: int) -> tuple[BCState, jax.Array, dict]:
    """n_steps BC updates, each on its own minibatch; metrics averaged over them."""

    def step(carry, _):
        s, k = carry
        k, k_batch = jax.random.split(k)
        s, metrics = update(s, minibatch(s, buffer, k_batch))
        return (s, k), metrics

    (state, key), metrics = jax.lax.scan(step, (state, key), None, length=n_steps)
    return strong_types(state), key, jax.tree.map(jnp.mean, metrics)
