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
from workflow_lib.engine.families import family_of
from workflow_lib.core.keys import seed_key
from workflow_lib.training.files import checkpoint_state, template
from workflow_lib.training.job import TrainJob, boundaries, step_unit
from workflow_lib.training.simulators import simulator

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
        # The env family's strategy: a Brax env inside the jitted chunks, or a simulator stepped
        # from the host (training/simulators.py).
        self.simulator = simulator(job, self.algo, self.hp, self.unit)

    def meta(self, **extra) -> dict:
        """Checkpoint metadata: enough to rebuild the carry's structure and name its origin."""
        j = self.job
        return {"env": j.env, "backend": j.backend, "algo": j.algo, "family": family_of(j.env).name,
                "hyperparameters": dataclasses.asdict(self.hp), "episode_length": j.episode_length,
                "warmup_steps": j.warmup_steps, "state_every": j.state_every if self.algo.off_policy else 0, **extra}

    def chunk(self, n_steps: int, learn: bool):
        """The program advancing every seed by n_steps: carry -> (carry, metrics)."""
        return self.simulator.chunk(n_steps, learn)

    def initial_carry(self):
        keys = jnp.stack([seed_key(self.job.env, self.job.algo, s) for s in self.job.seeds])
        return jax.jit(jax.vmap(self.simulator.init(self.capacity)))(keys)

    @property
    def resumable(self) -> bool:
        """Whether a snapshot can resume this job (an Atari job's games cannot be saved: it reruns)."""
        return self.simulator.resumable

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
                    self.simulator.restore(meta)
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
            evals = self.simulator.evaluate(carry.agent)
            now = time.monotonic()
            rows += [{"env": job.env, "algo": job.algo, "seed": s, "step": end,
                      "return": float(evals["return"][i]), "length": int(evals["length"][i])}
                     for i, s in enumerate(job.seeds)]
            self.log.info(
                "step %d/%d  %.0f env-steps/s per seed  eval %s  recent %s  %s", end, job.total_steps,
                (end - step) / (now - t_chunk), np.round(np.asarray(evals["return"]), 1),
                np.round(self.simulator.recent_return(carry), 1),
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
                                 **self.simulator.snapshot_meta())
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
