"""Behaviour cloning of TD3 policies (appendix A.7), the study: the clones of a run's teachers
trained in lockstep, logged, saved and loaded (the clone learner itself is agents/bc.py)."""

from __future__ import annotations

import dataclasses
import functools
import logging
import time

import jax
import jax.numpy as jnp
import numpy as np
import polars as pl

from workflow_lib.agents import td3
from workflow_lib.agents.bc import BCConfig, BCState, init, train_chunk
from workflow_lib.agents.replay import ReplayBuffer
from workflow_lib.core import checkpoint
from workflow_lib.core.keys import seed_key
from workflow_lib.core.tables import with_identity
from workflow_lib.core.trees import over_seeds, stack
from workflow_lib.studies import purd
from workflow_lib.training.files import load_checkpoint, load_replay


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


def train_run(env: str, seed: int, teacher_paths: list[str], replay_path: str, section: dict,
              log: logging.Logger | None = None) -> tuple[dict, list[BCState]]:
    """(meta, logged clones) of one TD3 run: a clone of each teacher checkpoint, trained in
    lockstep on its replay prefix with its own keys (from env, seed and the teacher's step)."""
    teachers = [load_checkpoint(p) for p in teacher_paths]
    _, stored = load_replay(replay_path)
    cfg = config_of(section, teachers[0][0]["hyperparameters"])
    steps = [meta["step"] for meta, _ in teachers]
    keys = [jax.random.split(clone_key(env, seed, step)) for step in steps]  # (init, training) per teacher
    fresh = [init(k[0], state["agent"], state["buffer_size"], cfg) for k, (_, state) in zip(keys, teachers)]
    if log is not None:
        log.info("%s td3 seed %d: clones of teachers %s on their prefixes, %d BC steps, %d logged", env, seed, steps,
                 cfg.steps, cfg.logs)
    logged = train_clones(stack(fresh), stored, jnp.stack([k[1] for k in keys]), log)
    first = teachers[0][0]
    meta = {"env": env, "backend": first["backend"], "seed": seed, "teachers": steps,
            "obs_size": stored.data.obs.shape[-1], "action_size": stored.data.action.shape[-1],
            "episode_length": first["episode_length"], "bc_steps": logged_steps(cfg)}
    return meta, logged


def clones_purd(clones_path: str, replay_path: str, settings: purd.Settings,
                log: logging.Logger | None = None) -> pl.DataFrame:
    """The PURD of every logged clone of one TD3 run, the update one more BC step on the clone's
    own dataset (the teacher's replay prefix); clone j of a teacher uses the key fold_in(its
    teacher's bc root, j)."""
    meta, clones = load_clones(clones_path)
    _, stored = load_replay(replay_path)
    data = None
    parts = []
    for j, bc_step in enumerate(meta["bc_steps"]):
        for i, teacher_step in enumerate(meta["teachers"]):
            clone = jax.tree.map(lambda x, i=i, j=j: x[j, i], clones)
            policy = purd.Policy(meta["env"], meta["backend"], "bc", meta["seed"], teacher_step, clone,
                                 ReplayBuffer(stored.data, clone.dataset_size), max_steps=meta["episode_length"])
            if data is None:  # the replay data on the devices once for all clones, as purd.placed
                data = purd.placed(policy, "bc", settings).buffer.data
            policy = dataclasses.replace(policy, buffer=ReplayBuffer(data, clone.dataset_size))
            root = jax.random.fold_in(purd.root_key(meta["env"], "bc", meta["seed"], teacher_step, "bc"), j)
            out = purd.sample(policy, "bc", settings, root=root)
            if log is not None:
                log.info("teacher step %d, clone %d (BC step %d): mean %.1f over %d samples", teacher_step, j, bc_step,
                         out["return"].mean(), settings.n)
            parts.append(purd.to_table(out).with_columns(teacher_step=pl.lit(teacher_step, pl.Int64),
                                                         clone=pl.lit(j, pl.Int64), bc_step=pl.lit(bc_step, pl.Int64)))
    return with_identity(pl.concat(parts), {"env": meta["env"], "algo": "bc", "seed": meta["seed"]})
