"""The rollout engine: one function, `evaluate`, that every study calls.

It turns items (sample indices, grid points, path points, ...) into rollouts from a start state:
a *recipe* builds each item's actor parameters inside the compiled program (one update of the
learner, a point of a plane, a perturbed point of a path, or given parameters), the env family
rolls them out, and the host loops over fixed-size chunks of items, sharded over the local
devices, with progress. Memory is bounded by the chunk size; one compiled program serves every
chunk and every policy of the same shapes.

A recipe is a frozen dataclass (hashable: it keys the cache of compiled programs) called as
`recipe(learner, agent, fixed, items, n_devices) -> params` with a leading item axis; `fixed`
is a pytree the recipe reads (a replay buffer, two directions, a key), replicated on every
device, and `items` the chunk's rows of the item array, split over the devices.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from types import ModuleType
from typing import Any, Callable, Protocol

import jax
import jax.numpy as jnp
import numpy as np

from workflow_lib.agents.registry import ALGORITHMS
from workflow_lib.core.trees import strong_types
from workflow_lib.engine.chunks import progress_logger, run_chunks, shardings
from workflow_lib.engine.families import family_of
from workflow_lib.engine.rollout import RolloutSettings, stop_check_every


class Recipe(Protocol):
    """Builds the actor parameters of a chunk of items inside the compiled program."""

    def __call__(self, learner: ModuleType, agent: Any, fixed: Any, items: jax.Array, n_devices: int) -> Any: ...


@dataclasses.dataclass(frozen=True)
class GivenParams:
    """The items are the parameters themselves (a pytree with a leading axis): fixed policies."""

    def __call__(self, learner, agent, fixed, items, n_devices):
        return items


@dataclasses.dataclass(frozen=True)
class Target:
    """What is rolled out: an env of a family, with a learner's policy (names, so it is hashable)."""

    env: str
    backend: str
    algo: str


@functools.lru_cache(maxsize=32)
def chunk_program(target: Target, recipe: Recipe, settings: RolloutSettings) -> tuple[Callable, Any, Any]:
    """(program, replicated, sharded): program(agent, fixed, start, items) -> outputs of a chunk.

    Cached, so that more samples, other checkpoints and other start states reuse the compiled
    programs. A host-stepped family gets the recipe compiled alone and steps its rollouts itself;
    a jittable one gets the blocks of chunk_blocks.
    """
    family = family_of(target.env)
    learner = ALGORITHMS[target.algo].module
    env = family.make(target.env, target.backend)
    replicated, sharded = shardings(settings.batch_size)
    n_dev = sharded.mesh.devices.size
    if hasattr(recipe, "host_params"):  # the recipe steps a simulator itself (an Atari PPO update's unrolls)
        params_of = functools.partial(recipe.host_params, learner)
    else:
        build = functools.partial(recipe, learner)
        if family.jittable:
            return chunk_blocks(family, env, learner, build, settings, replicated, sharded, n_dev), replicated, sharded
        params_of = jax.jit(lambda agent, fixed, items: build(agent, fixed, items, n_dev),
                            in_shardings=(replicated, replicated, sharded), out_shardings=sharded)

    def host_run(agent, fixed, start, items):
        return family.rollouts(env, learner, agent, params_of(agent, fixed, items), start, settings)

    return host_run, replicated, sharded


def chunk_blocks(family, env, learner, build: Callable, settings: RolloutSettings, replicated, sharded,
                 n_dev: int) -> Callable:
    """A chunk of a jittable family, early-stopping: a first program builds the parameters and the
    chunk's start (s_I broadcast to every rollout, as a vmapped scan broadcasts its carry), then a
    block program steps every rollout stop_check_every(episode_length) steps at a time, and the
    host stops at the first block after which no rollout of the chunk is alive (laptop-scale
    hopper policies fall after a few hundred of 1000 steps). Rewards and alive flags are
    kept per block and summed as one fixed-length scan sums them: returns and lengths equal a
    fixed-length rollout's to the bit. Recorded rollouts (with_states) run every step."""
    length, with_states = settings.episode_length, settings.with_states
    block = length if with_states else stop_check_every(length)

    def first(agent, fixed, start, items):
        params = build(agent, fixed, items, n_dev)
        copies = len(jax.tree.leaves(items)[0])
        state = jax.tree.map(lambda x: jnp.broadcast_to(x, (copies, *x.shape)), start)
        # Strong types, as `more` gives its carry: one compiled block program for every block.
        return params, strong_types((state, jnp.ones((copies,), jnp.bool_)))

    def more(agent, params, carry):
        carry, outs = family.block(env, learner, agent, params, *carry, block, with_states)
        return strong_types(carry), outs  # the env's weakly typed leaves would recompile the next block

    # One program builds the parameters and the chunk's start, one steps a block (the only one
    # holding the env step, so it compiles once), one sums the rewards as a fixed-length scan did.
    first = jax.jit(first, in_shardings=(replicated, replicated, replicated, sharded), out_shardings=sharded)
    more = jax.jit(more, in_shardings=(replicated, sharded, sharded), out_shardings=sharded)
    total = jax.jit(lambda rewards: rewards.sum(axis=1), in_shardings=sharded, out_shardings=sharded)

    def program(agent, fixed, start, items):
        params, carry = first(agent, fixed, start, items)
        blocks, steps = [], 0
        while steps < length and (not blocks or np.asarray(jax.device_get(carry[1])).any()):
            carry, outs = more(agent, params, carry)
            blocks.append(outs)
            steps += block
        # Joined on the host (eager device concatenations compiled anew for every block count);
        # after the last block every rollout has ended: the remaining rewards are zeros.
        rewards = np.concatenate([np.asarray(jax.device_get(b[0])) for b in blocks], axis=1)
        rewards = np.pad(rewards, ((0, 0), (0, length - steps))) if steps < length else rewards
        program.blocks.append(len(blocks))
        alive = np.concatenate([np.asarray(jax.device_get(b[1])) for b in blocks], axis=1)
        out = {"return": total(jax.device_put(rewards, sharded)), "length": alive.sum(axis=1).astype(np.int32)}
        if settings.with_rewards:
            out["rewards"] = rewards
        if with_states:
            out["q"] = blocks[0][2]
        return out

    program.blocks = []  # blocks stepped per chunk, for tests and benchmarks
    return program


def evaluate(target: Target, recipe: Recipe, agent: Any, fixed: Any, items: np.ndarray, settings: RolloutSettings,
             start: Any = None, log: logging.Logger | None = None, label: str = "", unit: str = "rollouts",
             total: int | None = None) -> dict[str, np.ndarray]:
    """Rollouts of the parameters `recipe` builds for each row of `items`, from `start` (default
    the env's reference state s_I), in chunks of settings.batch_size: "return", "length" (and
    "rewards", "q" on request) per item, as numpy arrays. Item i is computed by the same program
    at position i % batch_size whatever the count, the last chunk padded with its last item."""
    program, replicated, sharded = chunk_program(target, recipe, settings)
    if start is None:
        start = family_of(target.env).reference_state(target.env, target.backend)
    fixed_on_devices = jax.device_put((agent, fixed, start), replicated)  # once, not at every chunk
    progress = progress_logger(log, label, unit, settings.episode_length, total)
    return run_chunks(program, fixed_on_devices, items, settings.batch_size, sharded, progress)


def place(target: Target, recipe: Recipe, settings: RolloutSettings, tree: Any) -> Any:
    """`tree` already on the devices as evaluate places it, so evaluating it again (from other
    start states, with other keys) transfers nothing (device_put of a placed array is a no-op)."""
    _, replicated, _ = chunk_program(target, recipe, settings)
    return jax.device_put(tree, replicated)
