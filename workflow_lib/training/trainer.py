"""A training job: one (env, algo) and a block of vmapped seeds, run in jitted chunks.

Writes one checkpoint per (seed, step), one replay buffer and one archive of full env states per
seed (off-policy) and the evaluation returns; snapshots the whole carry now and then so a
killed job resumes exactly.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import math
import os
import time
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import polars as pl

from workflow_lib.core import checkpoint
from workflow_lib.core import tables
from workflow_lib.agents.registry import ALGORITHMS, Algorithm
from workflow_lib.envs.native import make_env, reference_state
from workflow_lib.engine.rollout import rollout_return
from workflow_lib.core.keys import seed_key  # noqa: F401  (where the rest of the library takes it from)
from workflow_lib.training.loops import OffPolicyCarry, carry_init, offpolicy_chunk, over_seeds, ppo_chunk, recent_return

EVAL_SCHEMA = {"env": pl.Utf8, "algo": pl.Utf8, "seed": pl.Int64, "step": pl.Int64, "return": pl.Float64, "length": pl.Int64}


@dataclasses.dataclass(frozen=True)
class TrainJob:
    """What one training job computes; every field comes from the validated config."""

    env: str
    backend: str
    algo: str
    seeds: tuple[int, ...]
    total_steps: int
    checkpoints: tuple[int, ...]
    hyperparameters: dict
    warmup_steps: int = 0
    log_every: int = 5000
    episode_length: int = 1000
    state_every: int = 0  # off-policy: keep the env state of every state_every-th transition

    @classmethod
    def from_fields(cls, fields: dict) -> TrainJob:
        """The job from plain values (Snakemake params, JSON), whose sequences are lists."""
        return cls(**{**fields, "seeds": tuple(fields["seeds"]), "checkpoints": tuple(fields["checkpoints"])})

    def fingerprint(self) -> str:
        """A hash of the job, so a snapshot is only resumed by the job that wrote it."""
        return hashlib.sha256(json.dumps(dataclasses.asdict(self), sort_keys=True).encode()).hexdigest()[:16]


def step_unit(algo: Algorithm, hp) -> int:
    """Env steps per indivisible piece of work: a TD3 delay cycle, a PPO iteration."""
    return hp.policy_delay if algo.off_policy else hp.num_envs * hp.unroll_length


def boundaries(job: TrainJob, unit: int) -> list[int]:
    """Env steps at which the host logs, evaluates, snapshots or checkpoints (multiples of unit)."""
    up = lambda s: unit * math.ceil(s / unit)  # noqa: E731
    points = {up(s) for s in range(job.log_every, job.total_steps, job.log_every)}
    points |= {up(s) for s in job.checkpoints} | {up(job.total_steps)}
    if job.warmup_steps:
        points.add(up(job.warmup_steps))
    return sorted(points)


def checkpoint_state(carry) -> dict:
    """What a checkpoint holds: the carry of one seed, the buffer reduced to its insertion point."""
    if isinstance(carry, OffPolicyCarry):
        return {"agent": carry.agent, "env": carry.env, "key": carry.key, "steps": carry.steps,
                "buffer_size": carry.buffer.size}
    return {"agent": carry.agent, "envs": carry.envs, "key": carry.key, "steps": carry.steps}


def template(meta: dict, capacity: int = 1, n_seeds: int | None = None):
    """The carry's shapes for a run described by checkpoint metadata (nothing is computed)."""
    algo = ALGORITHMS[meta["algo"]]
    env = make_env(meta["env"], meta["backend"])
    hp = algo.make_config(meta["hyperparameters"])
    init = lambda k: carry_init(algo, env, hp, k, capacity, meta.get("state_every", 0))  # noqa: E731
    if n_seeds is None:
        return jax.eval_shape(init, jax.random.key(0))
    return jax.eval_shape(jax.vmap(init), jax.random.split(jax.random.key(0), n_seeds))


def load_checkpoint(path: str | os.PathLike) -> tuple[dict, dict]:
    """(meta, state) of an agent checkpoint; state as in `checkpoint_state`."""
    return checkpoint.load(path, "agent", lambda meta: checkpoint_state(template(meta)))


def load_replay(path: str | os.PathLike) -> tuple[dict, Any]:
    """(meta, buffer) of a seed's replay file: every transition stored in training order."""
    return checkpoint.load(path, "replay", lambda meta: template(meta, capacity=meta["capacity"]).buffer)


def load_states(path: str | os.PathLike) -> tuple[dict, Any]:
    """(meta, states) of a seed's archive: brax States stacked on a leading axis, the k-th the
    state that transition meta["collection_times"][k] of the replay file was taken from."""

    def shapes(meta):
        one = jax.eval_shape(make_env(meta["env"], meta["backend"]).reset, jax.random.key(0))
        n = len(meta["collection_times"])
        return jax.tree.map(lambda x: jax.ShapeDtypeStruct((n, *x.shape), x.dtype), one)

    return checkpoint.load(path, "states", shapes)


class Trainer:
    """Runs a TrainJob chunk by chunk on the host; all the work is in jitted, vmapped chunks."""

    def __init__(self, job: TrainJob, work_dir: str | os.PathLike, log: logging.Logger):
        self.job, self.log, self.work = job, log, Path(work_dir)
        self.algo = ALGORITHMS[job.algo]
        self.env = make_env(job.env, job.backend)
        self.hp = self.algo.make_config(job.hyperparameters)
        self.unit = step_unit(self.algo, self.hp)
        self.capacity = self.unit * math.ceil(job.total_steps / self.unit) if self.algo.off_policy else 1
        self.start = reference_state(job.env, job.backend)
        self._chunks: dict[tuple[int, bool], Any] = {}
        self._evaluate = jax.jit(over_seeds(
            lambda agent: rollout_return(self.env, self.algo.module.policy, agent, self.start, job.episode_length)
        ))

    def meta(self, **extra) -> dict:
        """Checkpoint metadata: enough to rebuild the carry's structure and name its origin."""
        j = self.job
        return {"env": j.env, "backend": j.backend, "algo": j.algo, "hyperparameters": dataclasses.asdict(self.hp),
                "episode_length": j.episode_length, "warmup_steps": j.warmup_steps,
                "state_every": j.state_every if self.algo.off_policy else 0, **extra}

    def chunk(self, n_steps: int, learn: bool):
        """The jitted, seed-vmapped program advancing every seed by n_steps (cached per shape)."""
        if (n_steps, learn) not in self._chunks:
            algo, env, T = self.algo, self.env, self.job.episode_length
            if algo.off_policy:
                fn = lambda c: offpolicy_chunk(algo, env, c, n_steps, learn, T)  # noqa: E731
            else:
                fn = over_seeds(lambda c: ppo_chunk(algo, env, c, n_steps // self.unit, T))  # noqa: E731
            self._chunks[(n_steps, learn)] = jax.jit(fn, donate_argnums=0)
        return self._chunks[(n_steps, learn)]

    def initial_carry(self):
        keys = jnp.stack([seed_key(self.job.env, self.job.algo, s) for s in self.job.seeds])
        every = self.job.state_every if self.algo.off_policy else 0
        return jax.jit(jax.vmap(lambda k: carry_init(self.algo, self.env, self.hp, k, self.capacity, every)))(keys)

    @property
    def snapshot_path(self) -> Path:
        return self.work / "snapshot.msgpack"

    def checkpoint_path(self, seed: int, step: int) -> Path:
        return self.work / f"seed{seed}" / f"step{step}.msgpack"

    def resume(self):
        """(carry, step, eval rows) from this job's snapshot, or a fresh start."""
        if self.snapshot_path.exists():
            try:
                meta, state = checkpoint.read_header(self.snapshot_path, "snapshot")
                if meta.get("fingerprint") == self.job.fingerprint():
                    carry = checkpoint.restore(
                        self.snapshot_path, template(meta, self.capacity, len(self.job.seeds)), state
                    )
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
                np.round(np.asarray(jax.vmap(recent_return)(carry)), 1),
                " ".join(f"{k} {float(jnp.mean(v)):.4g}" for k, v in sorted(metrics.items())),
            )
            step, t_chunk = end, now
            if end in checkpoint_at:
                for i, s in enumerate(job.seeds):
                    one = jax.tree.map(lambda x: x[i], carry)
                    meta = self.meta(seed=s, step=checkpoint_at[end], env_steps=end)
                    checkpoint.save(self.checkpoint_path(s, checkpoint_at[end]), "agent", meta, checkpoint_state(one))
            if now - last_snapshot >= snapshot_every_s and end < points[-1]:
                meta = self.meta(step=end, fingerprint=job.fingerprint(), eval_rows=rows, seeds=list(job.seeds))
                checkpoint.save(self.snapshot_path, "snapshot", meta, carry)
                last_snapshot = time.monotonic()
        return carry, rows

    def publish(self, carry, rows, checkpoint_paths: dict, replay_paths: dict, eval_paths: dict,
                states_paths: dict | None = None) -> None:
        """Move finished checkpoints to their outputs, write buffers, state archives and eval
        tables, drop the snapshot."""
        for (seed, step), dest in checkpoint_paths.items():
            Path(dest).parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.checkpoint_path(seed, step), dest)
        for i, seed in enumerate(self.job.seeds):
            if seed in replay_paths:
                buf = jax.tree.map(lambda x: x[i], carry.buffer)
                checkpoint.save(replay_paths[seed], "replay", self.meta(seed=seed, capacity=self.capacity), buf)
            if seed in (states_paths or {}):
                archive = carry.archive
                states = jax.tree.map(lambda x: x[i, : archive.slots], archive.states)  # without the scratch slot
                times = list(range(0, archive.slots * archive.every, archive.every))
                checkpoint.save(states_paths[seed], "states", self.meta(seed=seed, collection_times=times), states)
            if seed in eval_paths:
                table = pl.DataFrame([r for r in rows if r["seed"] == seed], schema=EVAL_SCHEMA)
                tables.write_parquet(table, eval_paths[seed])
        self.snapshot_path.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> None:
    """Run a TrainJob outside Snakemake: python -m workflow_lib.training.trainer JOB.json OUT_DIR [SNAPSHOT_S]."""
    import sys

    argv = sys.argv[1:] if argv is None else argv
    fields = json.loads(Path(argv[0]).read_text())
    job = TrainJob.from_fields(fields)
    out = Path(argv[1])
    logging.basicConfig(level=logging.WARNING)
    log = logging.getLogger("train")
    log.setLevel(logging.INFO)
    trainer = Trainer(job, out / "_work", log)
    carry, rows = trainer.run(snapshot_every_s=float(argv[2]) if len(argv) > 2 else 300.0)
    trainer.publish(
        carry, rows,
        {(s, t): out / f"seed{s}" / f"step{t}.msgpack" for s in job.seeds for t in job.checkpoints},
        {s: out / f"seed{s}" / "replay.msgpack" for s in job.seeds} if trainer.algo.off_policy else {},
        {s: out / f"seed{s}" / "eval.parquet" for s in job.seeds},
        {s: out / f"seed{s}" / "states.msgpack" for s in job.seeds} if trainer.algo.off_policy and job.state_every
        else {},
    )


if __name__ == "__main__":
    main()
