"""PPO (Schulman et al. 2017) with the settings of docs/protocol.md: init, rollout collection, the update.
GAE, batching, the epoch scans and the clipped step are shared with Atari PPO (ppo_atari.py)."""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

import jax
import jax.numpy as jnp
import optax
from brax.envs.base import Env
from flax import struct
from flax.training.train_state import TrainState

from workflow_lib.envs.carry import EnvCarry, Transition, env_step
from workflow_lib.agents.networks import PPOActor, ValueNet, shared


@dataclasses.dataclass(frozen=True)
class PPOConfig:
    """Hyperparameters (Table 1 / docs/protocol.md); static inside jitted code."""

    hidden: tuple[int, ...] = (64, 64)
    activation: str = "tanh"
    learning_rate: float = 2.6e-3
    adam_eps: float = 1e-5
    max_grad_norm: float = 1.0
    num_envs: int = 2048
    unroll_length: int = 16
    num_minibatches: int = 2
    num_epochs: int = 4
    gamma: float = 0.99
    gae_lambda: float = 0.95
    clip_eps: float = 0.2
    value_coef: float = 2.0
    entropy_coef: float = 0.0
    # The post-update step's global-norm clip (a PURD setting, not training's): the authors'
    # post-update optimizer clipped at 0.1 (eval_policy/experiments/policy_variance.py,
    # get_empty_stuff), not at training's max_grad_norm. docs/protocol.md, "One update".
    purd_max_grad_norm: float = 0.1


@struct.dataclass
class PPOState:
    """Actor and critic parameters under one clipped Adam optimizer."""

    train: TrainState  # params = {"actor": ..., "critic": ...}
    actor_apply: Callable = struct.field(pytree_node=False)
    critic_apply: Callable = struct.field(pytree_node=False)
    config: PPOConfig = struct.field(pytree_node=False)


@struct.dataclass
class Rollout:
    """A [T, E] batch of transitions with the behaviour log-probabilities."""

    trans: Transition
    logp: jax.Array


def optimizer(max_grad_norm: float, learning_rate, adam_eps: float) -> optax.GradientTransformation:
    """Global-norm clipping, then Adam: one optimizer over all of PPO's networks (ppo_atari's too)."""
    return optax.chain(optax.clip_by_global_norm(max_grad_norm), optax.adam(learning_rate, eps=adam_eps))


def init(key: jax.Array, obs_size: int, action_size: int, config: PPOConfig = PPOConfig()) -> PPOState:
    """Fresh actor and critic with one optimizer (global-norm clipping, then Adam)."""
    k_actor, k_critic = jax.random.split(key)
    obs = jnp.zeros((1, obs_size))
    actor = shared(PPOActor, config.hidden, action_size, config.activation)
    critic = shared(ValueNet, config.hidden, config.activation)
    params = {"actor": actor.init(k_actor, obs), "critic": critic.init(k_critic, obs)}
    tx = shared(optimizer, config.max_grad_norm, config.learning_rate, config.adam_eps)
    return PPOState(TrainState.create(apply_fn=None, params=params, tx=tx), actor.apply, critic.apply, config)


def policy(state: PPOState, obs: jax.Array) -> jax.Array:
    """The deterministic policy: the Gaussian mean, clipped to the action box."""
    return jnp.clip(state.actor_apply(state.train.params["actor"], obs)[0], -1.0, 1.0)


def actor_params(state: PPOState) -> dict:
    """The policy's parameters: what a post-update sample changes and an evaluation uses."""
    return state.train.params["actor"]


def with_actor_params(state: PPOState, params: dict) -> PPOState:
    """The state with other policy parameters (critic and optimizer shared)."""
    return state.replace(train=state.train.replace(params={**state.train.params, "actor": params}))


def _log_prob(mean: jax.Array, log_std: jax.Array, action: jax.Array) -> jax.Array:
    z = (action - mean) / jnp.exp(log_std)
    return jnp.sum(-0.5 * z * z - log_std - 0.5 * jnp.log(2 * jnp.pi), axis=-1)


def collect(
    state: PPOState, env: Env, envs: EnvCarry, key: jax.Array, max_steps: int
) -> tuple[EnvCarry, Rollout]:
    """One unroll of all envs with the stochastic policy.

    Envs that end during the unroll restart from reset states drawn once per unroll: drawing
    one per step would cost a physics init per env per step for nothing.
    """
    k_reset, k_steps = jax.random.split(key)
    resets = jax.vmap(env.reset)(jax.random.split(k_reset, state.config.num_envs))

    def step(carry, k):
        mean, log_std = state.actor_apply(state.train.params["actor"], carry.state.obs)
        action = mean + jnp.exp(log_std) * jax.random.normal(k, mean.shape)
        stepped = jax.vmap(lambda c, a, r: env_step(env, c, a, r, max_steps))
        carry, trans = stepped(carry, jnp.clip(action, -1.0, 1.0), resets)
        # Store the unclipped action: its log-probability is what the ratio needs.
        return carry, Rollout(trans.replace(action=action), _log_prob(mean, log_std, action))

    return jax.lax.scan(step, envs, jax.random.split(k_steps, state.config.unroll_length))


def gae(values: jax.Array, next_values: jax.Array, reward: jax.Array, terminal: jax.Array,
        truncated: jax.Array, gamma: float, lam: float) -> tuple[jax.Array, jax.Array]:
    """GAE(lambda) advantages and value targets over a [T, E] unroll. A terminal step does not
    bootstrap; a terminal or truncated one ends the trace (its delta still bootstraps when
    truncated). Shared by both PPO learners, which differ in where the values come from."""
    deltas = reward + gamma * (1.0 - terminal) * next_values - values
    cont = 1.0 - jnp.maximum(terminal, truncated)

    def back(acc, x):
        delta, c = x
        acc = delta + gamma * lam * c * acc
        return acc, acc

    _, adv = jax.lax.scan(back, jnp.zeros_like(deltas[0]), (deltas, cont), reverse=True)
    return adv, adv + values


def advantages(state: PPOState, trans: Transition) -> tuple[jax.Array, jax.Array]:
    """GAE(lambda) over a [T, E] unroll; truncated episodes bootstrap from their true next obs."""
    cfg = state.config
    critic = state.train.params["critic"]
    values = state.critic_apply(critic, trans.obs)
    next_values = state.critic_apply(critic, trans.next_obs)
    return gae(values, next_values, trans.reward, trans.terminal, trans.truncated, cfg.gamma, cfg.gae_lambda)


def clipped_step(state, mb: dict, evaluate: Callable, clip_value: bool = False) -> tuple[Any, dict]:
    """One clipped-surrogate Adam step on a minibatch (advantages normalised within it), for any
    PPO state with `train` and a config holding clip_eps, value_coef and entropy_coef.

    evaluate(params, obs, action) -> (log-prob, entropy, value), each per sample: what the
    policy's distribution and the critic make of the minibatch. clip_value: CleanRL's clipped
    value loss, around the values the minibatch was collected with (mb["value"]).
    """
    cfg = state.config
    adv = (mb["adv"] - mb["adv"].mean()) / (mb["adv"].std() + 1e-8)

    def loss_fn(params):
        logp, entropy, v = evaluate(params, mb["obs"], mb["action"])
        ratio = jnp.exp(logp - mb["logp"])
        surrogate = jnp.minimum(ratio * adv, jnp.clip(ratio, 1 - cfg.clip_eps, 1 + cfg.clip_eps) * adv)
        v_err = jnp.square(v - mb["target"])
        if clip_value:
            v_clipped = mb["value"] + jnp.clip(v - mb["value"], -cfg.clip_eps, cfg.clip_eps)
            v_err = jnp.maximum(v_err, jnp.square(v_clipped - mb["target"]))
        v_loss = 0.5 * jnp.mean(v_err)
        entropy = jnp.mean(entropy)
        loss = -jnp.mean(surrogate) + cfg.value_coef * v_loss - cfg.entropy_coef * entropy
        return loss, {"policy_loss": -jnp.mean(surrogate), "value_loss": v_loss, "entropy": entropy}

    (_, metrics), grads = jax.value_and_grad(loss_fn, has_aux=True)(state.train.params)
    return state.replace(train=state.train.apply_gradients(grads=grads)), metrics


def _evaluate(state: PPOState) -> Callable:
    """The Gaussian policy's log-prob and entropy and the critic's value, per sample."""

    def evaluate(params, obs, action):
        mean, log_std = state.actor_apply(params["actor"], obs)
        entropy = jnp.sum(log_std + 0.5 * jnp.log(2 * jnp.pi * jnp.e), axis=-1)
        return _log_prob(mean, log_std, action), entropy, state.critic_apply(params["critic"], obs)

    return evaluate


def minibatch_step(state: PPOState, mb: dict) -> tuple[PPOState, dict]:
    """One clipped-surrogate Adam step on a minibatch (advantages normalised within it)."""
    return clipped_step(state, mb, _evaluate(state))


def flatten(tree: Any) -> Any:
    """Every [T, E, ...] leaf as [T * E, ...]: one sample per env step."""
    return jax.tree.map(lambda x: x.reshape((-1,) + x.shape[2:]), tree)


def _flat_batch(state: PPOState, rollout: Rollout) -> dict:
    """The unroll flattened to [T * E, ...] with its GAE advantages and value targets."""
    adv, target = advantages(state, rollout.trans)
    return flatten({
        "obs": rollout.trans.obs, "action": rollout.trans.action, "logp": rollout.logp,
        "adv": adv, "target": target,
    })


def shuffle(key: jax.Array, n: int, minibatches: int) -> jax.Array:
    """Indices of a random partition of n samples into equal minibatches: [minibatches, n / minibatches]."""
    return jax.random.permutation(key, n).reshape(minibatches, n // minibatches)


def take_first(flat: dict, key: jax.Array, minibatches: int) -> dict:
    """The first minibatch of a shuffle of `flat` (keyed as an epoch of `epochs` shuffles)."""
    idx = shuffle(key, flat["adv"].shape[0], minibatches)[0]
    return jax.tree.map(lambda x: x[idx], flat)


def first_minibatch(state: PPOState, rollout: Rollout, key: jax.Array) -> dict:
    """One shuffled minibatch of the unroll, as the first step of an update would see it.

    The first minibatch step of update(...) sees this distribution (GAE from the
    checkpoint's critic, a random half of the unroll): PURD sampling takes that single step
    per sample (docs/protocol.md, "One update").
    """
    return take_first(_flat_batch(state, rollout), key, state.config.num_minibatches)


def epochs(state, key: jax.Array, batch: Callable, step: Callable, unroll: bool = False) -> tuple[Any, dict]:
    """config.num_epochs passes of config.num_minibatches `step`s over `batch(state)` (the
    flat samples, from the state as it stands at the start of each epoch), each pass a fresh
    shuffle; the metrics averaged over all steps. Shared by both PPO learners.

    unroll: trace every step instead of looping, at the cost of compile time: XLA:CPU runs
    convolutions ~30x slower inside a loop body (jax-ml/jax#12868; ppo_atari.update).
    """
    cfg = state.config

    def epoch(state, k):
        flat = batch(state)
        idx = shuffle(k, flat["adv"].shape[0], cfg.num_minibatches)
        return jax.lax.scan(step, state, jax.tree.map(lambda x: x[idx], flat), unroll=unroll)

    state, metrics = jax.lax.scan(epoch, state, jax.random.split(key, cfg.num_epochs), unroll=unroll)
    return state, jax.tree.map(jnp.mean, metrics)


def update(state: PPOState, rollout: Rollout, key: jax.Array) -> tuple[PPOState, dict]:
    """One training update: num_epochs passes of num_minibatches steps over the unroll.

    Each epoch recomputes GAE with the critic as it stands, as Brax's PPO trainer does (it
    recomputes per minibatch). Measured on hopper/spring, 20 seeds x 5M steps: mean final
    return 432 +- 7 against 418 +- 10 (standard errors; H200, jax 0.11) with advantages computed
    once per unroll. docs/protocol.md records this choice.
    """
    return epochs(state, key, lambda s: _flat_batch(s, rollout), minibatch_step)


def purd_state(state: PPOState) -> PPOState:
    """The checkpoint as the post-update step takes it: its parameters and Adam state, under the
    post-update optimizer (global-norm clip at purd_max_grad_norm, training's Adam). The clip's
    state is empty, so the restored optimizer state fits it as it is."""
    cfg = state.config
    tx = shared(optimizer, cfg.purd_max_grad_norm, cfg.learning_rate, cfg.adam_eps)
    return state.replace(train=state.train.replace(tx=tx))


def post_update(state: PPOState, envs: EnvCarry, key: jax.Array, env: Env, max_steps: int) -> dict:
    """The actor parameters after one update (docs/protocol.md, "One update"): a fresh unroll of
    the training envs at the checkpoint, then the first minibatch step of its update, under the
    post-update optimizer (purd_state). One PURD sample."""
    k_collect, k_perm = jax.random.split(key)
    _, rollout = collect(state, env, envs, k_collect, max_steps)
    start = purd_state(state)
    return actor_params(minibatch_step(start, first_minibatch(start, rollout, k_perm))[0])
