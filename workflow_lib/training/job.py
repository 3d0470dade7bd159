"""What one training job computes (a block of seeds of one env and algorithm) and where its
host-side boundaries (logs, evaluations, snapshots, checkpoints) fall."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math

from workflow_lib.agents.registry import Algorithm


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
