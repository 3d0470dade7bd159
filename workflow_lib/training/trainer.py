"""A training job: one (env, algo) and a block of vmapped seeds, run in jitted chunks.

Writes one checkpoint per (seed, step), one replay buffer and one archive of full env states per
seed (off-policy) and the evaluation returns; snapshots the whole carry now and then so a
killed job resumes exactly.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import math
import os
import shutil
import time
from pathlib import Path
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np
import polars as pl

from workflow_lib.core import checkpoint
from workflow_lib.core import tables
from workflow_lib.agents.registry import ALGORITHMS
from workflow_lib.envs.host import host_family
from workflow_lib.envs.native import make_env, reference_state
from workflow_lib.engine.families import family_of
from workflow_lib.engine.rollout import RolloutSettings, rollout_return
from workflow_lib.core.keys import seed_key
from workflow_lib.core.trees import over_seeds
from workflow_lib.training.files import carry_initializer, checkpoint_state, template
from workflow_lib.training.host_loop import HostTraining
from workflow_lib.training.atari_loop import HostPPOTraining
from workflow_lib.training.job import TrainJob, boundaries, step_unit
from workflow_lib.training.loops import carry_init, offpolicy_chunk, ppo_chunk, recent_return

EVAL_SCHEMA = {"env": pl.Utf8, "algo": pl.Utf8, "seed": pl.Int64, "step": pl.Int64, "return": pl.Float64, "length": pl.Int64}


class Trainer:
    """Runs a TrainJob chunk by chunk on the host; all the work is in jitted, vmapped chunks."""

    def __init__(self, job: TrainJob, work_dir: str | os.PathLike, log: logging.Logger):
        self.job, self.log, self.work = job, log, Path(work_dir)
        self.algo = ALGORITHMS[job.algo]
        self.hp = self.algo.make_config(job.hyperparameters)
        self.unit = step_unit(self.algo, self.hp)
        if hasattr(self.hp, "total_updates") and job.hyperparameters.get("anneal_lr", True):
            # The learning rate decays to 0 over the run (CleanRL's ppo_atari): the checkpoint's
            # hyperparameters carry the schedule's length, so its PURD update continues it.
            self.hp = dataclasses.replace(self.hp, total_updates=math.ceil(job.total_steps / self.unit))
        self.capacity = self.unit * math.ceil(job.total_steps / self.unit) if self.algo.off_policy else 1
        self._chunks: dict[tuple[int, bool], Any] = {}
        # A host-stepped simulator (DM Control, Gymnasium) is stepped from here, a copy per seed
        # (host_loop), an Atari game num_envs copies per seed (atari_loop); a Brax env inside the
        # jitted chunks.
        self.host = host_family(job.env) is not None
        self.host_side: HostTraining | HostPPOTraining | None = None
        if self.host:
            self.env = None
            if host_family(job.env) == "atari":
                self.host_side = HostPPOTraining(job.env, self.algo, job.seeds, self.hp)
            else:
                self.host_side = HostTraining(job.env, self.algo, job.seeds, job.episode_length,  # resume restores it
                                              backend=job.backend)
            self._evaluate = self._evaluate_host
            return
        self.env = make_env(job.env, job.backend)
        self.start = reference_state(job.env, job.backend)
        self._evaluate = jax.jit(over_seeds(
            lambda agent: rollout_return(self.env, self.algo.module.policy, agent, self.start, job.episode_length)
        ))

    def _evaluate_host(self, agents) -> dict:
        """Each seed's deterministic policy from s_I, the seeds' rollouts in one host loop."""
        family, learner = family_of(self.job.env), self.algo.module
        params = jax.vmap(learner.actor_params)(agents)
        first = jax.tree.map(lambda x: x[0], agents)
        # Learning curves show an Atari game's score (as CleanRL's do), not the PURDs' clipped return.
        settings = RolloutSettings(batch_size=len(self.job.seeds), episode_length=self.job.episode_length,
                                   atari_return="game_score")
        start = family.reference_state(self.job.env, self.job.backend)
        return family.rollouts(family.make(self.job.env, self.job.backend), learner, first, params, start, settings)

    def meta(self, **extra) -> dict:
        """Checkpoint metadata: enough to rebuild the carry's structure and name its origin."""
        j = self.job
        return {"env": j.env, "backend": j.backend, "algo": j.algo, "family": family_of(j.env).name,
                "hyperparameters": dataclasses.asdict(self.hp), "episode_length": j.episode_length,
                "warmup_steps": j.warmup_steps, "state_every": j.state_every if self.algo.off_policy else 0, **extra}

    def chunk(self, n_steps: int, learn: bool):
        """The jitted, seed-vmapped program advancing every seed by n_steps (cached per shape)."""
        if self.host:
            return functools.partial(self._host_chunk, n_steps, learn)
        if (n_steps, learn) not in self._chunks:
            algo, env, T = self.algo, self.env, self.job.episode_length
            if algo.off_policy:
                fn = lambda c: offpolicy_chunk(algo, env, c, n_steps, learn, T)  # noqa: E731
            else:
                fn = over_seeds(lambda c: ppo_chunk(algo, env, c, n_steps // self.unit, T))  # noqa: E731
            self._chunks[(n_steps, learn)] = jax.jit(fn, donate_argnums=0)
        return self._chunks[(n_steps, learn)]

    def _host_chunk(self, n_steps: int, learn: bool, carry):
        """n_steps env steps of every seed on the host-stepped simulator (the chunk's metrics: the
        last update's)."""
        end = int(carry.steps[0]) + n_steps
        carry = self.host_side.advance(carry, end - n_steps, end, learn, end >= self.job.warmup_steps,
                                       getattr(self.hp, "policy_delay", 1))
        return carry, self.host_side.metrics

    def initial_carry(self):
        keys = jnp.stack([seed_key(self.job.env, self.job.algo, s) for s in self.job.seeds])
        if self.host:
            init = carry_initializer(self.algo, self.job.env, self.job.backend, self.hp, self.capacity)
        else:  # the env this trainer made already
            every = self.job.state_every if self.algo.off_policy else 0
            init = functools.partial(carry_init, self.algo, self.env, self.hp, capacity=self.capacity, state_every=every)
        return jax.jit(jax.vmap(init))(keys)

    @property
    def resumable(self) -> bool:
        """Whether a snapshot can resume this job (an Atari job's games cannot be saved: it reruns)."""
        return self.host_side is None or self.host_side.resumable

    @property
    def snapshot_path(self) -> Path:
        return self.work / "snapshot.msgpack"

    def checkpoint_path(self, seed: int, step: int) -> Path:
        return self.work / f"seed{seed}" / f"step{step}.msgpack"

    def resume(self):
        """(carry, step, eval rows) from this job's snapshot, or a fresh start (a host-stepped run's
        snapshot holds its simulators' states too, host_loop.HostTraining.state)."""
        if self.snapshot_path.exists():
            try:
                meta, state = checkpoint.read_header(self.snapshot_path, "snapshot")
                if meta.get("fingerprint") == self.job.fingerprint():
                    carry = checkpoint.restore(
                        self.snapshot_path, template(meta, self.capacity, len(self.job.seeds)), state
                    )
                    if self.host:
                        self.host_side.restore(meta["host_state"])
                    self.log.info("resuming from snapshot at step %d", meta["step"])
                    return carry, meta["step"], meta["eval_rows"]
                self.log.info("ignoring a snapshot of another job configuration")
            except checkpoint.CheckpointError as exc:
                self.log.warning("ignoring unreadable snapshot: %s", exc)
        return self.initial_carry(), 0, []

    def run(self, snapshot_every_s: float = 300.0) -> tuple[Any, list[dict]]:
        """Train to the end; returns the final carry and the evaluation rows."""
        job = self.job
        carry, step, rows = self.resume()
        self.log.info("%s %s seeds %s: from step %d to %d (first chunks compile)", job.env, job.algo,
                      list(job.seeds), step, job.total_steps)
        checkpoint_at = {self.unit * math.ceil(s / self.unit): s for s in job.checkpoints}
        last_snapshot, t_chunk = time.monotonic(), time.monotonic()
        points = boundaries(job, self.unit)
        for end in [b for b in points if b > step]:
            learn = step >= job.warmup_steps
            carry, metrics = self.chunk(end - step, learn)(carry)
            evals = self._evaluate(carry.agent)
            now = time.monotonic()
            rows += [{"env": job.env, "algo": job.algo, "seed": s, "step": end,
                      "return": float(evals["return"][i]), "length": int(evals["length"][i])}
                     for i, s in enumerate(job.seeds)]
            self.log.info(
                "step %d/%d  %.0f env-steps/s per seed  eval %s  recent %s  %s", end, job.total_steps,
                (end - step) / (now - t_chunk), np.round(np.asarray(evals["return"]), 1),
                np.round(self.host_side.recent_return() if self.host else np.asarray(jax.vmap(recent_return)(carry)), 1),
                " ".join(f"{k} {float(jnp.mean(v)):.4g}" for k, v in sorted(metrics.items())),
            )
            step, t_chunk = end, now
            if end in checkpoint_at:
                for i, s in enumerate(job.seeds):
                    one = jax.tree.map(lambda x: x[i], carry)
                    meta = self.meta(seed=s, step=checkpoint_at[end], env_steps=end)
                    checkpoint.save(self.checkpoint_path(s, checkpoint_at[end]), "agent", meta, checkpoint_state(one))
            if now - last_snapshot >= snapshot_every_s and end < points[-1] and self.resumable:
                meta = self.meta(step=end, fingerprint=job.fingerprint(), eval_rows=rows, seeds=list(job.seeds),
                                 **({"host_state": self.host_side.state()} if self.host else {}))
                checkpoint.save(self.snapshot_path, "snapshot", meta, carry)
                last_snapshot = time.monotonic()
        return carry, rows

    def publish_steps(self, carry, rows, checkpoint_paths: dict, replay_paths: dict, eval_paths: dict,
                      states_paths: dict | None = None) -> list[tuple[str, Callable[[], None]]]:
        """The steps of publishing, in order, each (what, action) and atomic: the finished
        checkpoints linked to their outputs, then the buffers, state archives and eval tables
        written, then the snapshot dropped, then the work folder's checkpoints. A job killed
        between two steps reruns to the same outputs: until the snapshot is gone, the
        checkpoints taken before it are still in the work folder for the resumed run to publish."""
        steps = [(f"checkpoint {dest}", functools.partial(publish_file, self.checkpoint_path(seed, step), dest))
                 for (seed, step), dest in checkpoint_paths.items()]
        for i, seed in enumerate(self.job.seeds):
            if seed in replay_paths:
                buf = jax.tree.map(lambda x: x[i], carry.buffer)
                meta = self.meta(seed=seed, capacity=self.capacity)
                steps.append((f"replay {replay_paths[seed]}",
                              functools.partial(checkpoint.save, replay_paths[seed], "replay", meta, buf)))
            if seed in (states_paths or {}):
                archive = carry.archive
                states = jax.tree.map(lambda x: x[i, : archive.slots], archive.states)  # without the scratch slot
                times = list(range(0, archive.slots * archive.every, archive.every))
                meta = self.meta(seed=seed, collection_times=times)
                steps.append((f"states {states_paths[seed]}",
                              functools.partial(checkpoint.save, states_paths[seed], "states", meta, states)))
            if seed in eval_paths:
                table = pl.DataFrame([r for r in rows if r["seed"] == seed], schema=EVAL_SCHEMA)
                steps.append((f"evals {eval_paths[seed]}",
                              functools.partial(tables.write_parquet, table, eval_paths[seed])))
        steps.append(("snapshot dropped", functools.partial(self.snapshot_path.unlink, missing_ok=True)))
        for seed, step in checkpoint_paths:
            steps.append((f"work checkpoint seed {seed} step {step} dropped",
                          functools.partial(self.checkpoint_path(seed, step).unlink, missing_ok=True)))
        return steps

    def publish(self, carry, rows, checkpoint_paths: dict, replay_paths: dict, eval_paths: dict,
                states_paths: dict | None = None) -> None:
        """Every step of publish_steps, in order."""
        for _, action in self.publish_steps(carry, rows, checkpoint_paths, replay_paths, eval_paths, states_paths):
            action()


def publish_file(src: Path, dest: str | os.PathLike) -> None:
    """`src` at `dest` too, atomically (a hard link, a copy across filesystems), `src` kept."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    try:
        os.link(src, tmp)
    except OSError:
        shutil.copyfile(src, tmp)
    os.replace(tmp, dest)
