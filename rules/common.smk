# Config validation (first thing) and the input functions the rules share.
import functools
import sys

from snakemake.exceptions import WorkflowError

from workflow_lib.workflow.config import ConfigError, block_name, seed_blocks, validate_config
from workflow_lib.workflow import layout
from workflow_lib.workflow import resources as requests

try:
    config.update(validate_config(config))
except ConfigError as err:
    sys.exit(f"Invalid config: {err}")


def all_checkpoints():
    """Every checkpoint of every (env, algo, seed) in the config."""
    return layout.all_checkpoints(config)


def eval_tables():
    """The per-seed evaluation tables written during training."""
    return layout.all_eval_tables(config)


def train_job(algo, seeds):
    """params.job of a training rule: the TrainJob fields for its env wildcard."""
    return functools.partial(layout.train_job_fields, config, algo=algo, seeds=seeds)


def purd_inputs(wildcards):
    """A PURD job reads one checkpoint and, for TD3/SAC, its seed's replay buffer."""
    w = wildcards
    inputs = {"checkpoint": layout.checkpoint_path(w.env, w.algo, w.seed, w.step)}
    if w.algo != "ppo":
        inputs["replay"] = layout.replay_path(w.env, w.algo, w.seed)
    return inputs


def purd_settings(kind, section=None):
    """Everything a PURD job of this kind of update computes from, so that an edit reruns exactly
    these jobs; N and the chunk size from `section` (a study's own), else from purd."""
    purd = config["purd"]
    return {
        "n": (section or purd)["samples"],
        "batch_size": (section or purd)["batch_size"],
        "update_batch": purd["ppo_update_batch"] if kind == "ppo" else 0,
        "sigma": purd["sigma"] if kind == "gaussian" else 0.0,
        "episode_length": config["episode_length"],
        "with_rewards": purd["per_step_rewards"] and section is None,  # the studies keep returns only
    }


def algorithm1_settings():
    """Everything a run of Algorithm 1 computes from (rejection.Settings), so that an edit reruns
    exactly these jobs."""
    cfg, stats = config["algorithm1"], config["stats"]
    return {
        **{k: cfg[k] for k in ("proposals", "samples", "alpha", "delta", "batch_size")},
        "episode_length": config["episode_length"],
        "ltp_alpha": stats["ltp_alpha"],
        "bins": stats["bins"],
    }


def figure_env(figure):
    """The env a numbered per-env figure shows, checked against the config's envs."""
    env = PAPER_FIGURE_ENVS.get(figure) or config["figures"]["figure2"]["env"]
    if env not in config["envs"]:
        raise WorkflowError(f"{figure} shows {env}, which is not in the config's envs {config['envs']}")
    return env


def failure_figure_envs(name):
    """Figure 3 shows the envs of figures.figure3.envs, Figure 23 every env."""
    return config["figures"]["figure3"]["envs"] if name == "figure3" else config["envs"]


# Algorithm 1's figures: built where the config has an off-policy learner (algorithm1.algo).
ALGORITHM1_FIGURES = ("figure7", "figure24", "figure25", "figure26")
# The appendix studies of TD3 runs (Figure 10, Figure 22 and its table): built where td3 is in algos.
TD3_FIGURES = ("figure10", "figure22")
BC_TABLES = {
    "correlations": "results/tables/bc_correlations.parquet",
    "ltp": "results/tables/bc_ltp.parquet",
}
# The figure targets beyond Figure 2 and its per-env variants, each part of `all` (Algorithm 1's
# where it runs).
FIGURE_TARGETS = (
    "figure1",
    "figure27",
    "figure3",
    "figure23",
    "figure4",
    "figure5",
    "figure6",
    "figure8",
    "figure9",
    "table2",
    *ALGORITHM1_FIGURES,
    *TD3_FIGURES,
)


def interpolation_envs(name):
    """Figures 5 and 9 show the envs of their config entries, Figure 8 every env."""
    return config["figures"][name]["envs"] if name in ("figure5", "figure9") else config["envs"]


def interpolation_kind(name):
    """Figure 8 shows the perturbed same-run paths, Figures 5 and 9 the plain ones."""
    return "perturbed" if name == "figure8" else "paths"


def built_figures():
    """The figure targets `all` builds: every one, but Algorithm 1's where it cannot run."""
    skip = ALGORITHM1_FIGURES if config["algorithm1"]["algo"] is None else ()
    skip += TD3_FIGURES if "td3" not in config["algos"] else ()
    return [f for f in FIGURE_TARGETS if f not in skip]


def figure_files(figure):
    """The files of a landscape, failure, interpolation or Algorithm 1 figure target."""
    figs = config["figures"]
    if figure in ALGORITHM1_FIGURES and config["algorithm1"]["algo"] is None:
        raise WorkflowError(f"{figure} needs Algorithm 1, which needs td3 or sac in algos (algos: {config['algos']})")
    if figure in TD3_FIGURES and "td3" not in config["algos"]:
        raise WorkflowError(f"{figure} studies TD3 runs, but td3 is not in algos (algos: {config['algos']})")
    if figure == "table2":
        return ["results/tables/table2.parquet", layout.figure("table2", "html")]
    if figure == "figure22":
        return [*BC_TABLES.values(), layout.figure("figure22"), layout.figure("table_bc", "html")]
    if figure in ("figure1", "figure27"):
        return [layout.figure(f"{figure}_{figs['figure1']['env']}")]
    if figure != "figure4":  # one figure over the envs
        return [layout.figure(figure)]
    env = figs["figure4"]["env"]
    return [layout.figure(f"figure4_{env}")] + [
        layout.figure(f"figure4_{env}_{r}", "html") for r in ("success", "failure")
    ]


# Figures 11-13 of the paper show these envs; Figure 2 the env named in the config.
PAPER_FIGURE_ENVS = {"figure11": "halfcheetah", "figure12": "hopper", "figure13": "walker2d"}
