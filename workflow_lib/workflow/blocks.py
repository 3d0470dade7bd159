"""Training jobs as literal rules: one per (env, algo, block of seeds), every path spelled out.

A training job writes per-seed files (layout.checkpoint_path etc.), so a job of several seeds
cannot be one rule with a seed-block wildcard: Snakemake wants every output of a rule to hold
the same wildcards, and a block's name is in none of its seeds' paths. What makes planning slow
is not the number of rules but how Snakemake 9 finds the producer of a file (OutputIndex): it
looks rules up by the constant prefix of their outputs, the text before the first wildcard, then
checks every output under that prefix. With the env a wildcard, every training rule's outputs
share the prefix "results/checkpoints/", so each file was checked against all training rules'
outputs (time per file grew with the seeds). With no wildcard at all an output's prefix is its
whole path, and the lookup is a bisection: time per file no longer depends on the seed count.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import NamedTuple

from workflow_lib.workflow import layout
from workflow_lib.workflow.config import block_name, env_algos, seed_blocks


class TrainBlock(NamedTuple):
    """One training job: an env, an algorithm and a block of seeds trained vmapped together."""

    env: str
    algo: str
    seeds: tuple[int, ...]

    @property
    def name(self) -> str:
        """The block's name in its paths: 'seed3' or 'seeds3-4-5'."""
        return block_name(self.seeds)

    @property
    def rule(self) -> str:
        """The Snakemake rule name: train_{algo}_{env}_{block}, e.g. train_td3_hopper_seeds0-1."""
        return f"train_{self.algo}_{layout.rule_safe(self.env)}_{self.name}"


def train_blocks(config: dict, algo: str | None = None) -> list[TrainBlock]:
    """Every training job of the config (of `algo` only, if given): algo by algo, env by env, in
    seed order."""
    return [
        TrainBlock(env, a, block)
        for a in config["algos"]
        if algo in (None, a)
        for env in config["envs"]
        if a in env_algos(config, env)
        for block in seed_blocks(config, a)
    ]


def outputs(config: dict, block: TrainBlock) -> dict[str, list[str]]:
    """A job's outputs by name (checkpoints, replay, states, evals), each a list of literal paths."""
    return layout.job_outputs(config, block.env, block.algo, block.seeds)


def log_path(block: TrainBlock) -> str:
    return layout.log("train", block.env, block.algo, block.name)


def benchmark_path(block: TrainBlock) -> str:
    """Snakemake's benchmark of the job, with the run's outputs (not the source folder benchmarks/)."""
    return layout.benchmark("train", block.env, block.algo, block.name)


def work_dir(block: TrainBlock) -> str:
    return layout.work_dir(block.env, block.algo, block.name)


def job_fields(config: dict, block: TrainBlock) -> dict:
    """params.job: the TrainJob fields, every config value the job's result depends on and no
    other (Snakemake's params trigger reruns exactly the jobs an edit changes)."""
    return layout.train_job_fields(config, SimpleNamespace(env=block.env), block.algo, block.seeds)
