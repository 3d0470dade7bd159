"""Where results live: one function per kind of output file, used by rules and tests."""

from __future__ import annotations

import re
from pathlib import Path

from workflow_lib.agents.registry import off_policy
from workflow_lib.envs.host import host_family
from workflow_lib.workflow.config import algo_seeds, env_algos, episode_length, study_envs

RESULTS = Path("results")
LOGS = Path("logs")


def log(*parts: str) -> str:
    """A job's log, logs/<stage>/.../<name>.log (parts may hold wildcards)."""
    return str(LOGS.joinpath(*parts[:-1], f"{parts[-1]}.log"))


def benchmark(*parts: str) -> str:
    """A heavy job's run time and memory (Snakemake's benchmark TSV), a run output:
    results/benchmarks/<stage>/.../<name>.tsv, never the source folder benchmarks/."""
    return str(RESULTS.joinpath("benchmarks", *parts[:-1], f"{parts[-1]}.tsv"))


def table(name: str) -> str:
    """A table over the whole config (learning curves, Algorithm 1's traces, Table 2, ...)."""
    return str(RESULTS / "tables" / f"{name}.parquet")


def checkpoint_path(env: str, algo: str, seed: int, step: int) -> str:
    return str(RESULTS / "checkpoints" / env / algo / f"seed{seed}" / f"step{step}.msgpack")


def replay_path(env: str, algo: str, seed: int) -> str:
    return str(RESULTS / "checkpoints" / env / algo / f"seed{seed}" / "replay.msgpack")


def states_path(env: str, algo: str, seed: int) -> str:
    """The full env states kept during an off-policy run (training.load_states)."""
    return str(RESULTS / "checkpoints" / env / algo / f"seed{seed}" / "states.msgpack")


def eval_path(env: str, algo: str, seed: int) -> str:
    return str(RESULTS / "train" / env / algo / f"seed{seed}" / "eval.parquet")


def work_dir(env: str, algo: str, block: str) -> str:
    """A training job's private folder: resume snapshot and unpublished checkpoints."""
    return str(RESULTS / "train" / env / algo / f"_work_{block}")


def job_outputs(config: dict, env: str, algo: str, seeds) -> dict[str, list[str]]:
    """The outputs of the training job of one seed block."""
    steps = config[algo]["checkpoints"]
    return {
        "checkpoints": [checkpoint_path(env, algo, s, t) for s in seeds for t in steps],
        "replay": [replay_path(env, algo, s) for s in seeds] if off_policy(algo) else [],
        "states": [states_path(env, algo, s) for s in seeds] if kept_state_every(config, env, algo) else [],
        "evals": [eval_path(env, algo, s) for s in seeds],
    }


def all_checkpoints(config: dict) -> list[str]:
    return [
        checkpoint_path(env, algo, seed, step)
        for env in config["envs"]
        for algo in env_algos(config, env)
        for seed in algo_seeds(config, algo)
        for step in config[algo]["checkpoints"]
    ]


def all_eval_tables(config: dict) -> list[str]:
    return [eval_path(e, a, s) for e in config["envs"] for a in env_algos(config, e) for s in algo_seeds(config, a)]


def rule_safe(name: str) -> str:
    """A name as part of a rule name (a Python identifier): dmc-quadruped-walk -> dmc_quadruped_walk."""
    return re.sub(r"\W", "_", name)


def kept_state_every(config: dict, env: str, algo: str) -> int:
    """The run's state_every: off-policy runs on Brax keep env states for Figure 10 (0: none);
    a host-stepped simulator's state is not kept (Figure 10 is a Brax study here)."""
    return 0 if host_family(env) is not None else config[algo].get("state_every", 0)


RUN_KEYS = ("total_steps", "checkpoints", "warmup_steps", "log_every", "state_every", "runs")
# A learner's keys that set its post-update step (ppo.purd_max_grad_norm, ppo_atari.purd_update,
# ...): PURD settings, kept out of a run's hyperparameters so that an edit reruns its PURDs only.
PURD_PREFIX = "purd_"


def run_backend(config: dict, env: str) -> str:
    """A run's backend: a Brax env's physics backend, a DM Control task's action mapping
    (host.dmc_actions); "none" elsewhere, so that an edit of either leaves the other runs be."""
    family = host_family(env)
    if family is None:
        return config["backend"]
    return config["host"]["dmc_actions"] if family == "dmc" else "none"


def run_hyperparameters(section: dict) -> dict:
    """What a learner's training reads from its config section."""
    return {k: v for k, v in section.items() if k not in RUN_KEYS and not k.startswith(PURD_PREFIX)}


def purd_update_options(config: dict, kind: str) -> dict:
    """The post-update settings of a learner's own update (its purd_* keys); none for another kind."""
    return {k: v for k, v in config.get(kind, {}).items() if k.startswith(PURD_PREFIX)}


def train_job_fields(config: dict, wildcards, algo: str, seeds) -> dict:
    """The TrainJob of a training rule as plain values (Snakemake params: edits rerun the job)."""
    section = config[algo]
    return {
        "env": wildcards.env,
        "backend": run_backend(config, wildcards.env),
        "algo": algo,
        "seeds": list(seeds),
        "total_steps": section["total_steps"],
        "checkpoints": list(section["checkpoints"]),
        "warmup_steps": section.get("warmup_steps", 0),
        "log_every": section["log_every"],
        "episode_length": episode_length(config, wildcards.env),
        **({"state_every": kept_state_every(config, wildcards.env, algo)} if "state_every" in section else {}),
        "hyperparameters": run_hyperparameters(section),
    }


def purd_path(env: str, algo: str, kind: str, seed: int, step: int) -> str:
    """The sampled post-update returns of one checkpoint under one kind of update."""
    return str(RESULTS / "purd" / env / algo / kind / f"seed{seed}" / f"step{step}.parquet")


def policies(config: dict, env: str, algo: str | None = None) -> list[dict]:
    """Every (algo, seed, step) of an env (of `algo` only, if given), as the rows of its statistics
    tables name them; the algos in the config's order, so the tables of an env's algos, concatenated
    in that order, list every policy of the env."""
    return [
        {"env": env, "algo": a, "seed": seed, "step": step}
        for a in env_algos(config, env)
        if algo in (None, a)
        for seed in algo_seeds(config, a)
        for step in config[a]["checkpoints"]
    ]


def own_purds(config: dict, env: str, algo: str | None = None) -> list[str]:
    """The PURD files of every policy of an env (of `algo` only, if given) under its own
    algorithm's update, in the rows' order of policies()."""
    return [purd_path(env, p["algo"], p["algo"], p["seed"], p["step"]) for p in policies(config, env, algo)]


def study_purds(config: dict, envs: list[str], algo: str) -> list[str]:
    """The PURDs of every policy of `algo` on each of `envs`, under its own update."""
    return [path for env in envs for path in own_purds(config, env, algo)]


def stats_table(env: str, algo: str) -> str:
    """The bootstrapped statistics of every policy of one (env, algo): one table per algorithm, so
    that an edit of one algorithm reruns only what reads that algorithm's policies."""
    return str(RESULTS / "tables" / f"purd_stats_{env}_{algo}.parquet")


def stats_tables(config: dict, envs, algos=None) -> list[str]:
    """The statistics tables of the given envs and algos (default: the config's algos), env by env,
    algos in the config's order: read and concatenated, an env's rows as one table would hold them."""
    return [stats_table(env, algo) for env in envs for algo in env_algos(config, env) if algos is None or algo in algos]


def purd_map(env: str) -> str:
    return str(RESULTS / "figures" / f"purd_map_{env}.png")


def policy_files(config: dict, env: str, algo: str) -> list[str]:
    """Every checkpoint of an (env, algo) and, off-policy, its seeds' replay files: what a job
    that picks its policies from the statistics may load."""
    seeds = algo_seeds(config, algo)
    files = [checkpoint_path(env, algo, s, t) for s in seeds for t in config[algo]["checkpoints"]]
    if off_policy(algo):
        files += [replay_path(env, algo, s) for s in seeds]
    return files


def landscape_file(env: str, name: str) -> str:
    """Landscape outputs of an env: picks, grid_w<window>, purd (histograms), gait."""
    return str(RESULTS / "landscape" / env / f"{name}.parquet")


def landscape_grids(config: dict, env: str) -> list[str]:
    """The env's landscape grids, one per window (Figure 27's zooms)."""
    return [landscape_file(env, window_name(window)) for window in config["landscape"]["windows"]]


def window_name(window: float) -> str:
    return f"grid_w{window:g}"


def failures_file(env: str, name: str) -> str:
    """Failure outputs of an env: picks, trajectories."""
    return str(RESULTS / "failures" / env / f"{name}.parquet")


def figure(name: str, suffix: str = "png") -> str:
    return str(RESULTS / "figures" / f"{name}.{suffix}")


def picked_policy_files(env: str, algo: str, policies: list[tuple[int, int]]) -> list[str]:
    """The checkpoints and (off-policy) replay files of the given (seed, step) policies, once each."""
    paths = [path for seed, step in policies for path in policy_paths(env, algo, seed, step) if path is not None]
    return list(dict.fromkeys(paths))


def run_policy_files(config: dict, env: str, algo: str, seed) -> dict[str, list[str] | str]:
    """A run's PURD job inputs: its checkpoints (config order) and, off-policy, its replay file."""
    files = {"checkpoints": [checkpoint_path(env, algo, seed, t) for t in config[algo]["checkpoints"]]}
    if off_policy(algo):
        files["replay"] = replay_path(env, algo, seed)
    return files


def run_purds(config: dict, env: str, algo: str, seed) -> list[str]:
    """The PURD files of a run's checkpoints under its algorithm's own update, in config order."""
    return [purd_path(env, algo, algo, seed, t) for t in config[algo]["checkpoints"]]


def policy_paths(env: str, algo: str, seed: int, step: int) -> tuple[str, str | None]:
    """(checkpoint, replay file or None for PPO): what purd.load_policy reads for one policy."""
    return checkpoint_path(env, algo, seed, step), (replay_path(env, algo, seed) if off_policy(algo) else None)


def interpolation_file(env: str, name: str) -> str:
    """Interpolation outputs of an env: pairs (Table 2), paths, perturbed (Figure 8), btp (Figure 6)."""
    return str(RESULTS / "interpolation" / env / f"{name}.parquet")


def interpolation_files(envs: list[str], name: str) -> list[str]:
    """One interpolation output (pairs, paths, perturbed, btp) of each env."""
    return [interpolation_file(env, name) for env in envs]


def algorithm1_file(env: str, algo: str, name: str) -> str:
    """Algorithm 1 outputs of an env: starts (the starting policies), start<i>_run<r> (a trace)."""
    return str(RESULTS / "algorithm1" / env / algo / f"{name}.parquet")


def algorithm1_traces(config: dict) -> list[str]:
    """Every trace of the config: per env, starting policy and run (none without a learner)."""
    cfg = config["algorithm1"]
    if cfg["algo"] is None:
        return []
    return [algorithm1_file(env, cfg["algo"], f"start{i}_run{r}") for env in study_envs(config, "algorithm1")
            for i in range(cfg["policies"]) for r in range(cfg["runs"])]


def td3_seeds(config: dict, section: str) -> list[int]:
    """The TD3 runs of an appendix study (start_states, behaviour_cloning): the first seeds."""
    return list(config["seeds"][: config[section]["seeds"]])


def start_states_file(env: str, seed: int) -> str:
    """Figure 10's returns of one TD3 run: every checkpoint from every picked start state."""
    return str(RESULTS / "start_states" / env / f"seed{seed}.parquet")


def start_states_files(config: dict) -> list[str]:
    """Figure 10's returns: one file per TD3 run of the study, on each env it shows."""
    seeds = td3_seeds(config, "start_states")
    return [start_states_file(env, seed) for env in config["figures"]["figure10"]["envs"] for seed in seeds]


def start_states_inputs(config: dict, env: str, seed: int) -> dict[str, list[str] | str]:
    """What a start-states job reads: the run's TD3 checkpoints, replay file and stored states."""
    return {"checkpoints": [checkpoint_path(env, "td3", seed, t) for t in config["td3"]["checkpoints"]],
            "replay": replay_path(env, "td3", seed), "states": states_path(env, "td3", seed)}


def bc_teachers(config: dict) -> list[int]:
    """The TD3 checkpoints cloned in each run: behaviour_cloning.teachers of them, evenly spaced
    over the run and ending with the last (of 10 checkpoints, 5 teachers are every other one)."""
    steps, k = config["td3"]["checkpoints"], config["behaviour_cloning"]["teachers"]
    picked = {round(len(steps) - 1 - i * len(steps) / k) for i in range(k)}
    return [steps[i] for i in sorted(picked)]


def bc_file(env: str, seed: int, name: str) -> str:
    """Behaviour-cloning outputs of one TD3 run: clones (msgpack of every logged clone), purd."""
    return str(RESULTS / "behaviour_cloning" / env / f"seed{seed}" / (
        "clones.msgpack" if name == "clones" else f"{name}.parquet"))


def bc_purds(config: dict, envs: list[str]) -> list[str]:
    """The clones' PURDs of the behaviour-cloning study's TD3 runs on `envs`."""
    seeds = td3_seeds(config, "behaviour_cloning")
    return [bc_file(env, seed, "purd") for env in envs for seed in seeds]
