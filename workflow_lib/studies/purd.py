"""Post-update return distributions (Def. 3.1): N independent updates of a checkpoint, each
updated deterministic policy rolled out from s_I (SPEC, "One update").

The updates are the training code's own functions (td3.actor_update, sac.actor_update,
ppo.collect + ppo.minibatch_step), never a copy. A chunk of samples is one jitted program:
updates vmapped over per-sample keys, then a vmapped rollout of the distinct updated policies
scanned over time. The host only loops over chunks, so memory is bounded by the chunk size.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import logging
import math
import os
import time
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np
import polars as pl
from brax.envs.base import Env, State
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

from workflow_lib.agents import bc
from workflow_lib.agents import ppo
from workflow_lib.agents import replay
from workflow_lib.agents.registry import ALGORITHMS, Algorithm
from workflow_lib.envs.native import EnvCarry, make_env, reference_state
from workflow_lib.engine.rollout import rollout_return
from workflow_lib.training.loops import carry_init
from workflow_lib.training.trainer import load_checkpoint, load_replay, seed_key

UPDATE_KINDS = ("td3", "sac", "ppo", "bc", "gaussian")


@dataclasses.dataclass(frozen=True)
class Settings:
    """How a PURD is sampled; every field is a config value (purd section)."""

    n: int = 1000
    batch_size: int = 50  # samples per jitted chunk: bounds memory
    update_batch: int = 0  # updates computed at once inside a chunk (0: the whole chunk)
    sigma: float = 3e-4  # the Gaussian update's scale
    episode_length: int = 1000
    with_rewards: bool = False
    with_states: bool = False  # per-step q of each rollout (for rendering a few chosen samples)


@dataclasses.dataclass(frozen=True)
class Policy:
    """A checkpoint as the sampler needs it: the agent and what its own update reads."""

    env: str
    backend: str
    algo: str
    seed: int
    step: int
    agent: Any
    buffer: replay.ReplayBuffer | None = None  # off-policy: the stored data, size = the checkpoint's prefix
    envs: EnvCarry | None = None  # PPO: the training envs at the checkpoint
    max_steps: int = 1000  # training's episode length (PPO's truncation during collection)


def load_policy(checkpoint_path: str | os.PathLike, replay_path: str | os.PathLike | None = None) -> Policy:
    """A Policy from a checkpoint file and, for TD3/SAC, the seed's replay file."""
    meta, state = load_checkpoint(checkpoint_path)
    buffer = envs = None
    if ALGORITHMS[meta["algo"]].off_policy:
        if replay_path is None:
            raise ValueError(f"{checkpoint_path}: an off-policy checkpoint needs its replay file")
        _, data = load_replay(replay_path)
        buffer = replay.ReplayBuffer(data.data, jnp.asarray(state["buffer_size"]))
    else:
        envs = state["envs"]
    return Policy(meta["env"], meta["backend"], meta["algo"], meta["seed"], meta["step"], state["agent"],
                  buffer, envs, meta.get("episode_length", 1000))


def synthetic_policy(env: str, backend: str, algo: str, hyperparameters: dict, steps: int,
                     max_steps: int = 1000) -> Policy:
    """A fresh agent as a checkpoint at `steps` would hold it, TD3/SAC with `steps` random
    transitions in the buffer, PPO with fresh envs. For tests and benchmarks: the mechanics and
    the cost of sampling do not depend on trained weights (rollouts always run every step)."""
    algorithm = ALGORITHMS[algo]
    brax_env = make_env(env, backend)
    hp = algorithm.make_config(hyperparameters)
    carry = carry_init(algorithm, brax_env, hp, jax.random.key(1), steps)
    if not algorithm.off_policy:
        return Policy(env, backend, algo, 0, steps, carry.agent, envs=carry.envs, max_steps=max_steps)
    keys = iter(jax.random.split(jax.random.key(2), 8))
    data = jax.tree.map(lambda x: jax.random.normal(next(keys), x.shape), carry.buffer.data)
    data = data.replace(action=jnp.tanh(data.action), terminal=jnp.zeros(steps), truncated=jnp.zeros(steps))
    buffer = replay.ReplayBuffer(data, jnp.asarray(steps, jnp.int32))
    return Policy(env, backend, algo, 0, steps, carry.agent, buffer=buffer, max_steps=max_steps)


def root_key(env: str, algo: str, seed: int, step: int, kind: str) -> jax.Array:
    """The key of one policy's PURD; sample i uses fold_in(root, i), so the first n samples
    are the same whatever N is."""
    salt = int.from_bytes(hashlib.sha256(f"purd/{kind}".encode()).digest()[:4], "little")
    return jax.random.fold_in(jax.random.fold_in(seed_key(env, algo, seed), salt), step)


def check_kind(algo: str, kind: str) -> None:
    if kind not in UPDATE_KINDS:
        raise ValueError(f"unknown update kind {kind!r}; expected one of {UPDATE_KINDS}")
    if kind not in (algo, "gaussian"):
        raise ValueError(f"a {algo} checkpoint takes its own update ({algo}) or gaussian, not {kind}")


def perturb(params, key: jax.Array, sigma: float):
    """params + N(0, sigma^2 I), independent per parameter (SPEC, "Gaussian")."""
    leaves, tree = jax.tree.flatten(params)
    keys = jax.random.split(key, len(leaves))
    return jax.tree.unflatten(tree, [x + sigma * jax.random.normal(k, x.shape, x.dtype) for x, k in zip(leaves, keys)])


def update_fn(algo: Algorithm, kind: str, env: Env, settings: Settings, max_steps: int) -> Callable:
    """(agent, buffer, envs, key) -> the actor parameters after one update of this kind."""
    mod = algo.module

    def gaussian(agent, buffer, envs, key):
        return perturb(mod.actor_params(agent), key, settings.sigma)

    def td3(agent, buffer, envs, key):
        batch = replay.buffer_sample(buffer, key, agent.config.batch_size)
        return mod.actor_params(mod.actor_update(agent, batch)[0])

    def sac(agent, buffer, envs, key):
        k_batch, k_noise = jax.random.split(key)
        batch = replay.buffer_sample(buffer, k_batch, agent.config.batch_size)
        return mod.actor_params(mod.actor_update(agent, batch, k_noise)[0])

    def ppo_update(agent, buffer, envs, key):
        k_collect, k_perm = jax.random.split(key)
        _, rollout = ppo.collect(agent, env, envs, k_collect, max_steps)
        return ppo.actor_params(ppo.minibatch_step(agent, ppo.first_minibatch(agent, rollout, k_perm))[0])

    def bc_update(agent, buffer, envs, key):
        return bc.post_update_params(agent, buffer, key)

    return {"gaussian": gaussian, "td3": td3, "sac": sac, "ppo": ppo_update, "bc": bc_update}[kind]


def rollouts(algo: Algorithm, env: Env, agent, params, start: State, settings: Settings) -> dict:
    """Deterministic returns of many policies (params with a leading sample axis) from s_I."""
    mod = algo.module
    one = lambda p: rollout_return(  # noqa: E731
        env, mod.policy, mod.with_actor_params(agent, p), start, settings.episode_length, settings.with_rewards,
        settings.with_states,
    )
    return jax.vmap(one)(params)


def chunk_program(policy: Policy, kind: str, settings: Settings):
    """(program, replicated, sharded): the jitted program of one chunk, (agent, buffer, envs,
    start, root, indices) -> outputs, with the samples split over the local devices."""
    check_kind(policy.algo, kind)
    # Cached so that repeated calls (more samples, other checkpoints) reuse the compiled program.
    return _program(policy.env, policy.backend, policy.algo, kind, dataclasses.replace(settings, n=0),
                    policy.max_steps)


def placed(policy: Policy, kind: str, settings: Settings) -> Policy:
    """The policy with what every chunk reads (agent, buffer, PPO envs) already on the devices, so
    that sampling it again (from other start states, with other roots) transfers nothing: sample's
    device_put of a placed array is a no-op. A replay buffer of 1M transitions is hundreds of MB."""
    _, replicated, _ = chunk_program(policy, kind, settings)
    moved = jax.device_put({"agent": policy.agent, "buffer": policy.buffer, "envs": policy.envs}, replicated)
    return dataclasses.replace(policy, **moved)


def _largest_divisor(n: int, at_most: int) -> int:
    return max(d for d in range(1, min(n, at_most) + 1) if n % d == 0)


def shardings(batch_size: int) -> tuple[NamedSharding, NamedSharding]:
    """(replicated, split along the sample axis) over the local devices that divide batch_size.

    Samples are independent: a chunk is split over several GPUs, or over the CPU cores exposed
    as host devices (runtime.host_devices); everything else is replicated.
    """
    devices = jax.local_devices()
    mesh = Mesh(np.array(devices[: _largest_divisor(batch_size, len(devices))]), ("samples",))
    return NamedSharding(mesh, P()), NamedSharding(mesh, P("samples"))


@functools.lru_cache(maxsize=16)
def _program(env_name: str, backend: str, algo_name: str, kind: str, settings: Settings, max_steps: int):
    algo = ALGORITHMS[algo_name]
    env = make_env(env_name, backend)
    update = update_fn(algo, kind, env, settings, max_steps)
    b = settings.batch_size
    replicated, sharded = shardings(b)
    n_dev = sharded.mesh.devices.size

    def run(agent, buffer, envs, start, root, indices):
        keys = jax.vmap(lambda i: jax.random.fold_in(root, i))(indices)
        one = lambda k: update(agent, buffer, envs, k)  # noqa: E731
        parallel = n_dev * _largest_divisor(b // n_dev, settings.update_batch or b)
        if parallel < b:
            # At most update_batch updates at once per device (PPO's each collect a full unroll):
            # a vmap over `parallel` rows of a sequential map, rows contiguous so sharding holds.
            grid = jax.vmap(lambda ks: jax.lax.map(one, ks))(keys.reshape(parallel, b // parallel))
            params = jax.tree.map(lambda x: x.reshape(b, *x.shape[2:]), grid)
        else:
            params = jax.vmap(one)(keys)
        return rollouts(algo, env, agent, params, start, settings)

    program = jax.jit(run, in_shardings=(replicated,) * 5 + (sharded,), out_shardings=sharded)
    return program, replicated, sharded


def progress_logger(log: logging.Logger | None, label: str, unit: str, episode_length: int,
                    total: int | None = None) -> Callable | None:
    """A run_chunks progress callback logging "label: done/total unit, rate env-steps/s", the
    rate counted from its creation; `total` caps the count where the last chunk is padded."""
    if log is None:
        return None
    t0 = time.monotonic()

    def progress(done: int, n: int) -> None:
        n = total or n
        done = min(done, n)
        log.info("%s: %d/%d %s, %.0f env-steps/s", label, done, n, unit,
                 done * episode_length / (time.monotonic() - t0))

    return progress


def run_chunks(program, fixed: tuple, items: np.ndarray, batch_size: int, sharded, progress=None) -> dict:
    """Outputs of `program(*fixed, chunk)` over `items` (leading axis) in chunks of batch_size,
    the last one padded with its last item and trimmed: one compiled program for any count, and
    each item computed by it at a fixed position. progress(done, total) after every chunk."""
    n, outs = len(items), []
    for start in range(0, n, batch_size):
        chunk = items[start: start + batch_size]
        pad = np.repeat(chunk[-1:], batch_size - len(chunk), axis=0)
        outs.append(jax.device_get(program(*fixed, jax.device_put(np.concatenate([chunk, pad]), sharded))))
        if progress is not None:
            progress(min(start + batch_size, n), n)
    return {k: np.concatenate([o[k] for o in outs])[:n] for k in outs[0]}


def sample(policy: Policy, kind: str, settings: Settings, log: logging.Logger | None = None,
           indices: np.ndarray | None = None, root: jax.Array | None = None,
           start: State | None = None) -> dict[str, np.ndarray]:
    """The PURD of one policy: per sample its index, return, episode length (and rewards, states).

    Chunks are aligned on multiples of batch_size (sample i sits at position i % batch_size), so
    sample i is computed by the same program at the same position whatever N is: results are
    bitwise reproducible and the first n samples do not change when N grows. `indices` recomputes
    chosen samples only (they are not aligned, so equal up to float rounding). `root` replaces the
    checkpoint's own key, for policies that are not checkpoints (Algorithm 1's candidates).
    `start` replaces s_I (Figure 10's stored training states); it is an argument of the compiled
    program, so every start state reuses it.
    """
    program, replicated, sharded = chunk_program(policy, kind, settings)
    if root is None:
        root = root_key(policy.env, policy.algo, policy.seed, policy.step, kind)
    fixed = jax.device_put(  # placed once, not at every chunk
        (policy.agent, policy.buffer, policy.envs,
         reference_state(policy.env, policy.backend) if start is None else start, root), replicated)
    b = settings.batch_size
    if indices is None:
        indices = np.arange(settings.n)
        items = np.arange(math.ceil(settings.n / b) * b, dtype=np.uint32)  # whole chunks: no padding
    else:
        items = np.asarray(indices, dtype=np.uint32)
    label = f"{policy.env} {policy.algo} seed {policy.seed} step {policy.step} ({kind})"
    progress = progress_logger(log, label, "samples", settings.episode_length, total=len(indices))
    result = run_chunks(program, fixed, items, b, sharded, progress)
    return {"sample": np.asarray(indices), **{k: v[: len(indices)] for k, v in result.items()}}


def to_table(samples: dict[str, np.ndarray]) -> pl.DataFrame:
    """The Parquet layout of a PURD file: sample, return, length (and per-step rewards)."""
    columns = {
        "sample": pl.Series(samples["sample"], dtype=pl.Int64),
        "return": pl.Series(samples["return"].astype(np.float64)),
        "length": pl.Series(samples["length"], dtype=pl.Int32),
    }
    if "rewards" in samples:
        columns["rewards"] = pl.Series(list(samples["rewards"]), dtype=pl.List(pl.Float32))
    return pl.DataFrame(columns)
