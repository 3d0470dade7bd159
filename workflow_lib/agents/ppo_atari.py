"""PPO with discrete actions on stacked Atari frames: CleanRL's ppo_atari.py, the learner of the
paper's Atari figures (docs/protocol.md, "Atari"). The simulator is stepped from the host, so this module has no
`collect`: the host loop calls `act` once per env step for all envs, fills a FrameRollout, then
calls `update` on it.

Shared with continuous PPO (ppo.py): GAE, flattening, shuffling, the epoch/minibatch scans and
the clipped-surrogate step. What differs, as CleanRL has it: one network (Nature CNN trunk, a
policy head and a value head) under one optimizer; a categorical policy; the clipped value loss;
GAE computed once per update from the values at collection (ppo.py recomputes it each epoch); the
learning rate annealed linearly to 0 over training.

Storage: a FrameRollout keeps the T + 1 observations the policy saw, obs[t + 1] being the one
after step t, instead of obs and next_obs (which would double the unroll's frames: 29 MB more
at 8 x 128 x 4 x 84 x 84). V(obs[t + 1]) is step t's next value except where the episode ended
and obs[t + 1] is a reset frame; there the next value is masked, since a truncated step does not
bootstrap either (CleanRL: done = terminated or truncated). Under episodic life a lost life is
a terminal step.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import jax
import jax.numpy as jnp
import optax
from flax import struct
from flax.training.train_state import TrainState

from workflow_lib.agents import ppo
from workflow_lib.agents.networks import AtariActorCritic, shared

ACTOR = ("trunk", "actor")  # the parameters the policy reads: what a post-update sample changes


@dataclasses.dataclass(frozen=True)
class PPOAtariConfig:
    """CleanRL ppo_atari.py's hyperparameters; static inside jitted code."""

    learning_rate: float = 2.5e-4
    total_updates: int = 0  # updates in the whole run, for annealing the learning rate; 0: constant
    adam_eps: float = 1e-5
    max_grad_norm: float = 0.5
    num_envs: int = 8
    unroll_length: int = 128
    num_minibatches: int = 4
    num_epochs: int = 4
    gamma: float = 0.99
    gae_lambda: float = 0.95
    clip_eps: float = 0.1  # the ratio's clip and the value clip (CleanRL clip_coef, clip_vloss)
    value_coef: float = 0.5
    entropy_coef: float = 0.01
    # The post-update step of a PURD sample (docs/protocol.md, "One update"); the defaults are the
    # authors' (eval_policy/experiments/utils.py: update_vmapped_agent, init_ensemble_optim).
    # PURD settings, not training's: training never reads them, so an edit reruns the PURDs only.
    purd_update: str = "iteration"  # "iteration": num_epochs x num_minibatches steps; "minibatch": one
    purd_adam: str = "fresh"  # "fresh": zero moments and count; "restored": the checkpoint's
    purd_max_grad_norm: float | None = None  # None: no clipping (the authors'); a number: global-norm clip


@struct.dataclass
class PPOAtariState:
    """The actor-critic's parameters {"trunk", "actor", "critic"} under one clipped Adam."""

    train: TrainState
    apply: Callable = struct.field(pytree_node=False)  # AtariActorCritic(...).apply
    config: PPOAtariConfig = struct.field(pytree_node=False)


@struct.dataclass
class FrameRollout:
    """A [T, E] unroll as the host collects it (module docstring: why T + 1 observations)."""

    obs: jax.Array  # uint8 [T + 1, E, 4, 84, 84]: obs[t] acted on at step t; obs[T] the frame after the unroll
    action: jax.Array  # int32 [T, E]
    reward: jax.Array  # float32 [T, E] (clipped to its sign by the host in training)
    terminal: jax.Array  # float32 [T, E]: 1 where the game (or, with episodic life, a life) ended
    truncated: jax.Array  # float32 [T, E]: 1 where the time limit ended the episode
    logp: jax.Array  # float32 [T, E]: log-probability of the action under the policy that acted (act)


def learning_rate(config: PPOAtariConfig) -> optax.Schedule:
    """The learning rate at an optimizer step count, CleanRL's anneal_lr: constant within an
    update, lr * (1 - u / total_updates) during update u = 0, 1, ..., total_updates - 1
    (num_epochs * num_minibatches optimizer steps each). From the optimizer's own count, so a
    restored checkpoint (and its post-update samples) carries on. An update after the run keeps
    the last update's rate, lr / total_updates, instead of reaching 0: a PURD of the final
    checkpoint would otherwise be N copies of it (the authors' samples used the optimizer as
    training left it, at its last rate)."""
    if config.total_updates <= 0:
        return optax.constant_schedule(config.learning_rate)
    steps = config.num_epochs * config.num_minibatches

    def schedule(count):
        done = (jnp.asarray(count) // steps).astype(jnp.float32)
        return config.learning_rate * jnp.maximum(1.0 - done / config.total_updates, 1.0 / config.total_updates)

    return schedule


def _optimizer(config: PPOAtariConfig) -> optax.GradientTransformation:
    return ppo.optimizer(config.max_grad_norm, learning_rate(config), config.adam_eps)


def init(key: jax.Array, obs_shape: tuple[int, ...], action_size: int,
         config: PPOAtariConfig = PPOAtariConfig()) -> PPOAtariState:
    """A fresh agent for frames of `obs_shape` (e.g. (4, 84, 84)) and `action_size` actions."""
    net = shared(AtariActorCritic, action_size)
    params = net.init(key, jnp.zeros((1,) + tuple(obs_shape), jnp.uint8))["params"]
    tx = shared(_optimizer, config)
    return PPOAtariState(TrainState.create(apply_fn=None, params=params, tx=tx), net.apply, config)


def _logits(state: PPOAtariState, params: dict, obs: jax.Array) -> jax.Array:
    return state.apply({"params": params}, obs, method="logits")


def policy(state: PPOAtariState, obs: jax.Array) -> jax.Array:
    """The greedy policy (docs/protocol.md, "Atari": evaluation takes argmax actions): int32 of obs's batch shape."""
    return jnp.argmax(_logits(state, state.train.params, obs), axis=-1).astype(jnp.int32)


def act(state: PPOAtariState, obs: jax.Array, key: jax.Array) -> tuple[jax.Array, jax.Array]:
    """The behaviour policy in training: (action int32, its log-probability float32), sampled
    from the softmax of the logits, for obs of any batch shape."""
    log_probs = jax.nn.log_softmax(_logits(state, state.train.params, obs))
    action = jax.random.categorical(key, log_probs).astype(jnp.int32)
    return action, jnp.take_along_axis(log_probs, action[..., None], axis=-1)[..., 0]


def actor_params(state: PPOAtariState) -> dict:
    """The policy's parameters: the shared trunk and the policy head. The value head is left out:
    the policy does not read it, so perturbing or interpolating it would change nothing."""
    return {name: state.train.params[name] for name in ACTOR}


def with_actor_params(state: PPOAtariState, params: dict) -> PPOAtariState:
    """The state with another trunk and policy head (value head and optimizer kept)."""
    return state.replace(train=state.train.replace(params={**state.train.params, **params}))


def _flat_batch(state: PPOAtariState, rollout: FrameRollout) -> dict:
    """The unroll flattened to [T * E, ...] with GAE advantages, value targets and the values the
    value clip is taken around, all from the state's critic (the one that collected, in update)."""
    cfg = state.config
    values = state.apply({"params": state.train.params}, rollout.obs, method="value")  # [T + 1, E]
    done = jnp.maximum(rollout.terminal, rollout.truncated).astype(jnp.float32)
    adv, target = ppo.gae(values[:-1], values[1:], rollout.reward.astype(jnp.float32), done, done,
                          cfg.gamma, cfg.gae_lambda)
    return ppo.flatten({"obs": rollout.obs[:-1], "action": rollout.action, "logp": rollout.logp,
                        "adv": adv, "target": target, "value": values[:-1]})


def _evaluate(state: PPOAtariState) -> Callable:
    """The categorical policy's log-prob and entropy and the value, per sample, in one pass."""

    def evaluate(params, obs, action):
        logits, value = state.apply({"params": params}, obs)
        log_probs = jax.nn.log_softmax(logits)
        entropy = -jnp.sum(jnp.exp(log_probs) * log_probs, axis=-1)
        return jnp.take_along_axis(log_probs, action[..., None], axis=-1)[..., 0], entropy, value

    return evaluate


def minibatch_step(state: PPOAtariState, mb: dict) -> tuple[PPOAtariState, dict]:
    """One Adam step of CleanRL's loss (clipped surrogate, clipped value loss, entropy bonus)."""
    return ppo.clipped_step(state, mb, _evaluate(state), clip_value=True)


def first_minibatch(state: PPOAtariState, rollout: FrameRollout, key: jax.Array) -> dict:
    """One shuffled minibatch of the unroll, as the first step of update(state, rollout, k) sees
    it when `key` is that update's first epoch key."""
    return ppo.take_first(_flat_batch(state, rollout), key, state.config.num_minibatches)


def update(state: PPOAtariState, rollout: FrameRollout, key: jax.Array) -> tuple[PPOAtariState, dict]:
    """One training update: num_epochs passes of num_minibatches steps, GAE computed once from
    the values at collection (CleanRL). The steps are unrolled (ppo.epochs): on a 2-core CPU,
    4 of them took 18 s looped and 0.6 s unrolled; the full update takes 3 s, 15 s to compile."""
    flat = _flat_batch(state, rollout)
    return ppo.epochs(state, key, lambda _: flat, minibatch_step, unroll=True)


def _purd_optimizer(config: PPOAtariConfig) -> optax.GradientTransformation:
    """The post-update step's optimizer: Adam at training's learning rate schedule, after a
    global-norm clip only where purd_max_grad_norm is set. Its state has the training
    optimizer's structure (a clip and an identity both keep an empty state), so the
    checkpoint's moments and schedule count carry over as they are."""
    clip = optax.identity() if config.purd_max_grad_norm is None else optax.clip_by_global_norm(config.purd_max_grad_norm)
    return optax.chain(clip, optax.adam(learning_rate(config), eps=config.adam_eps))


def fresh_moments(opt_state):
    """The optimizer state with every Adam moment and Adam step count at zero, the learning rate
    schedule's count kept: a fresh Adam at the checkpoint's learning rate. (The authors' copy of
    the checkpoint's moments into their per-sample optimizer looked parameter names up among
    integer keys, matched none, and so started every sample's Adam from zero.)"""
    def zero(leaf):
        if isinstance(leaf, optax.ScaleByAdamState):
            return jax.tree.map(jnp.zeros_like, leaf)
        return leaf

    return jax.tree.map(zero, opt_state, is_leaf=lambda x: isinstance(x, optax.ScaleByAdamState))


def purd_state(state: PPOAtariState) -> PPOAtariState:
    """The checkpoint as the post-update step starts from it: its parameters, the PURD
    optimizer (purd_max_grad_norm), and its Adam state fresh or restored (purd_adam)."""
    cfg = state.config
    if cfg.purd_adam not in ("fresh", "restored") or cfg.purd_update not in ("iteration", "minibatch"):
        raise ValueError(f"ppo_atari: unknown post-update setting (purd_update={cfg.purd_update!r}, "
                         f"purd_adam={cfg.purd_adam!r})")
    opt_state = fresh_moments(state.train.opt_state) if cfg.purd_adam == "fresh" else state.train.opt_state
    return state.replace(train=state.train.replace(tx=shared(_purd_optimizer, cfg), opt_state=opt_state))


def post_update(state: PPOAtariState, rollout: FrameRollout, key: jax.Array, env=None, max_steps=None) -> dict:
    """The policy parameters after one update (docs/protocol.md, "One update") from an unroll the
    caller collected at the checkpoint (act, on the host), GAE from the checkpoint's critic. One
    PURD sample. purd_update "iteration" (the authors'): a whole training update, num_epochs
    shuffles of num_minibatches steps (16 Adam steps); "minibatch": its first step alone.
    env and max_steps are unused: they keep the protocol's signature."""
    start = purd_state(state)
    if state.config.purd_update == "minibatch":
        return actor_params(minibatch_step(start, first_minibatch(start, rollout, key))[0])
    return actor_params(update(start, rollout, key)[0])
