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
import numpy as np

from workflow_lib.agents.registry import ALGORITHMS
from workflow_lib.engine.chunks import progress_logger, run_chunks, shardings
from workflow_lib.engine.families import family_of
from workflow_lib.engine.rollout import RolloutSettings


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
    program. A jittable family runs recipe and rollouts in one program; a host-stepped family
    gets the recipe compiled alone and its rollouts stepped from the host.
    """
    family = family_of(target.env)
    learner = ALGORITHMS[target.algo].module
    env = family.make(target.env, target.backend)
    replicated, sharded = shardings(settings.batch_size)
    n_dev = sharded.mesh.devices.size
    build = functools.partial(recipe, learner)

    if family.jittable:
        def run(agent, fixed, start, items):
            params = build(agent, fixed, items, n_dev)
            return family.rollouts(env, learner, agent, params, start, settings)

        program = jax.jit(run, in_shardings=(replicated, replicated, replicated, sharded), out_shardings=sharded)
        return program, replicated, sharded

    params_of = jax.jit(lambda agent, fixed, items: build(agent, fixed, items, n_dev),
                        in_shardings=(replicated, replicated, sharded), out_shardings=sharded)

    def host_run(agent, fixed, start, items):
        return family.rollouts(env, learner, agent, params_of(agent, fixed, items), start, settings)

    return host_run, replicated, sharded


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
