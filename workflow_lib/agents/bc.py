"""Behaviour cloning of TD3 policies (appendix A.7).

A clone of the teacher checkpointed at step S is a fresh DeterministicActor trained on the
observations logged before the teacher was collected, the replay prefix [0, S), labelled with the
teacher's deterministic action, by Adam on the mean squared error for `steps` updates; `logs`
clones are kept evenly through training (after steps * (j + 1) / logs updates). A clone's PURD
update is one more step of the same objective on a fresh minibatch of the prefix, from the logged
Adam state: `post_update_params`. The module offers policy / actor_params / with_actor_params, so
the PURD engine uses it like an algorithm module.

The clone has the teacher's architecture (BCConfig.hidden must equal the teacher's TD3Config.hidden;
`init` checks), so the teacher is only its parameters, applied by the clone's own apply_fn. Labels
are computed on the fly: the same as relabelling the dataset, without a relabelled copy of it.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import struct
from flax.training.train_state import TrainState

from workflow_lib.training.loops import over_seeds, stack, strong_types
from workflow_lib.agents.networks import (  # noqa: F401  (actor accessors: this module's PURD interface)
    DeterministicActor, actor_params, train_state, with_actor_params,
)
from workflow_lib.agents.replay import ReplayBuffer, buffer_sample
from workflow_lib.core import checkpoint
from workflow_lib.agents import td3
from workflow_lib.core.keys import seed_key


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


@functools.lru_cache(maxsize=None)
def _networks(config: BCConfig, action_size: int) -> tuple[DeterministicActor, optax.GradientTransformation]:
    # One module and optimizer per config: clones of different teachers then have equal static
    # parts, so they stack with jax.tree.map and reuse each other's compiled programs.
    return DeterministicActor(config.hidden, action_size), optax.adam(config.learning_rate, eps=config.adam_eps)


def init(key: jax.Array, teacher, dataset_size, config: BCConfig = BCConfig()) -> BCState:
    """A fresh clone of `teacher` (a TD3 agent) to be trained on the prefix [0, dataset_size)."""
    params = actor_params(teacher)
    layers = params["params"]["MLP_0"]
    obs_size = layers["Dense_0"]["kernel"].shape[0]
    action_size = layers[f"Dense_{len(layers) - 1}"]["kernel"].shape[1]
    module, tx = _networks(config, action_size)
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


def post_update_params(state: BCState, buffer: ReplayBuffer, key: jax.Array) -> dict:
    """The clone's parameters after one BC step on a fresh minibatch: one PURD sample's update."""
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


def clone_key(env: str, seed: int, teacher_step: int) -> jax.Array:
    """The key of the clones of one teacher: its own per (env, seed, step), the same on reruns."""
    return jax.random.fold_in(seed_key(env, "bc", seed), teacher_step)


@functools.partial(jax.jit, static_argnums=3)
def _chunk(states: BCState, buffer: ReplayBuffer, keys: jax.Array, n_steps: int):
    # The buffer is an argument, not a closed-over constant, and shared: only clones and keys are mapped.
    return over_seeds(lambda s, k: train_chunk(s, buffer, k, n_steps))(states, keys)


def logged_steps(cfg: BCConfig) -> list[int]:
    """The BC steps after which clones are logged: steps * (j + 1) / logs, j = 0 .. logs - 1."""
    if cfg.steps % cfg.logs:
        raise ValueError(f"BC steps={cfg.steps} must be a multiple of logs={cfg.logs}")
    return [cfg.steps // cfg.logs * (j + 1) for j in range(cfg.logs)]


def train_clones(teachers: BCState, buffer: ReplayBuffer, keys: jax.Array,
                 log: logging.Logger | None = None) -> list[BCState]:
    """Train the clones of several teachers in lockstep (leading teacher axis on `teachers` and
    `keys`; the buffer is shared, each clone reads its own prefix). Returns the `logs` logged
    clones: element j holds every teacher's clone after steps * (j + 1) / logs updates."""
    cfg = teachers.config
    at = logged_steps(cfg)
    logged, states, t0 = [], teachers, time.monotonic()
    for done in at:
        states, keys, metrics = _chunk(states, buffer, keys, at[0])
        logged.append(states)
        if log is not None:
            losses = np.asarray(metrics["bc_loss"])
            log.info("bc: %d/%d steps, bc_loss %s, %.0f updates/s", done, cfg.steps,
                     " ".join(f"{x:.4g}" for x in losses), done * len(losses) / (time.monotonic() - t0))
    return logged


def config_of(section: dict, teacher: dict) -> BCConfig:
    """The BCConfig of a behaviour_cloning config section for a teacher of these TD3
    hyperparameters: the clone has the teacher's layers and Adam epsilon."""
    return BCConfig(hidden=tuple(teacher["hidden"]), learning_rate=section["learning_rate"],
                    adam_eps=teacher["adam_eps"], batch_size=section["minibatch"], steps=section["steps"],
                    logs=section["logs"])


def save_clones(path, meta: dict, logged: list[BCState]) -> None:
    """Every logged clone of a run's teachers in one checkpoint file (axes: log, teacher)."""
    checkpoint.save(path, "clones", {**meta, "config": dataclasses.asdict(logged[0].config)}, stack(logged))


def load_clones(path) -> tuple[dict, BCState]:
    """(meta, clones) of save_clones' file, the clones' leaves with leading axes (log, teacher)."""

    def shapes(meta):
        cfg = BCConfig(**{**meta["config"], "hidden": tuple(meta["config"]["hidden"])})
        teacher_cfg = td3.TD3Config(hidden=cfg.hidden)
        one = jax.eval_shape(lambda: init(jax.random.key(0), td3.init(jax.random.key(0), meta["obs_size"],
                                                                      meta["action_size"], teacher_cfg), 0, cfg))
        lead = (cfg.logs, len(meta["teachers"]))
        return jax.tree.map(lambda x: jax.ShapeDtypeStruct(lead + x.shape, x.dtype), one)

    return checkpoint.load(path, "clones", shapes)
