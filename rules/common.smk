# Config validation (first thing) and the input, params and resources functions the rules share.
# Each function of wildcards is named after what it gives a rule: no lambdas in the rules.
import functools
import sys

from workflow_lib.agents.registry import ALGORITHMS, off_policy
from workflow_lib.workflow.config import (
    ATARI_FIGURES,
    ConfigError,
    algo_seeds,
    atari_games,
    btp_sizes,
    env_algos,
    episode_length,
    figure_envs,
    interpolation_algo,
    learner_episode_length,
    learner_return_settings,
    load_config_file,
    return_settings,
    study_envs,
    validate_config,
)
from workflow_lib.workflow import atari_titles, layout
from workflow_lib.workflow import resources as requests

try:
    for _path in workflow.configfiles:  # Snakemake read them already; this names a duplicate key's line
        load_config_file(_path)
    config.update(validate_config(config))
except ConfigError as err:
    sys.exit(f"Invalid config: {err}")


def eval_tables():
    """The per-seed evaluation tables written during training."""
    return layout.all_eval_tables(config)


def all_targets():
    """What `all` builds: the learning curves, each env's PURD map (so every checkpoint and its
    PURD; Figures 2 and 11-18 are maps) and every figure target the config can build. The checkpoints are not listed: each
    target file is a root of Snakemake's DAG search, and 9,600 of them (80 seeds) took seconds."""
    return [
        layout.figure("learning_curves"),
        *[layout.purd_map(env) for env in config["envs"]],
        *[path for figure in built_figures() for path in figure_files(figure)],
    ]


# Post-update return distributions and their statistics (rules/purd.smk).


def gaussian_purd_inputs(wildcards):
    """A Gaussian PURD job reads one checkpoint and, for TD3/SAC, its seed's replay buffer."""
    policy, replay = layout.policy_paths(wildcards.env, wildcards.algo, wildcards.seed, wildcards.step)
    return {"checkpoints": [policy], **({"replay": replay} if replay else {})}


def purd_settings(kind, section=None):
    """Everything a PURD job of this kind of update computes from, so that an edit reruns exactly
    these jobs; N and the chunk size from `section` (a study's own), else from purd."""
    purd = config["purd"]
    return {
        "n": (section or purd)["samples"],
        "batch_size": (section or purd)["batch_size"],
        # an on-policy update collects its own unroll: update_batch of them at once
        "update_batch": purd["ppo_update_batch"] if kind in ALGORITHMS and not off_policy(kind) else 0,
        "sigma": purd["sigma"] if kind == "gaussian" else 0.0,
        "episode_length": learner_episode_length(config, kind),  # the Gaussian update: gaussian_purd_settings
        "with_rewards": purd["per_step_rewards"] and section is None,  # the studies keep returns only
        # the learner's own update: its purd_* keys (ppo.purd_max_grad_norm, ppo_atari.purd_update, ...)
        "update_options": layout.purd_update_options(config, kind),
        # an Atari learner's rollouts: which return (atari.return)
        **learner_return_settings(config, kind),
    }


def gaussian_purd_settings(wildcards):
    """params.settings of a Gaussian PURD job: as any PURD's, capped as its env's rollouts are."""
    return {
        **purd_settings("gaussian"),
        "episode_length": episode_length(config, wildcards.env),
        **return_settings(config, wildcards.env),
    }


def purd_runtime(wildcards):
    """resources.runtime of a Gaussian PURD job: N samples of one policy of its algorithm."""
    return requests.purd_runtime(config, wildcards.algo, env=wildcards.env)


def run_purd_runtime(algo, wildcards):
    """resources.runtime of a run's PURD job (functools.partial of the algo): N samples of each
    of its checkpoints, at its env family's rate."""
    return requests.purd_runtime(config, algo, policies=len(config[algo]["checkpoints"]), env=wildcards.env)


def purd_mem(wildcards):
    """resources.mem_mb of a Gaussian PURD job: one seed's replay buffer of its algorithm."""
    return requests.purd_mem(config, wildcards.algo)


def own_purds(wildcards):
    """A statistics table's inputs: the PURD of every policy of its (env, algo), under its own update."""
    if wildcards.algo not in env_algos(config, wildcards.env):
        # A table of no policy would be written in silence (PPO on a host-stepped env is not trained).
        sys.exit(f"Invalid target: {wildcards.algo} does not train on {wildcards.env} (config.env_algos)")
    return layout.own_purds(config, wildcards.env, wildcards.algo)


def env_stats_tables(wildcards):
    """A PURD map's inputs: the statistics tables of the learners trained on its env."""
    return layout.stats_tables(config, [wildcards.env])


def stats_policies(wildcards):
    """A statistics table's rows: every (seed, step) of its (env, algo), in the order of its inputs."""
    return layout.policies(config, wildcards.env, wildcards.algo)


def stats_settings():
    """Everything a statistics table computes from (StatsSettings.from_config)."""
    return {k: config["stats"][k] for k in ("cvar_alphas", "ltp_alpha", "bins", "resamples", "confidence")}


# What the studies read: the statistics table and the policies of their own algorithm only, so that
# an edit of another algorithm reruns none of them.


def landscape_stats(wildcards):
    """The statistics of the env's landscape.algo policies, from which the pair is picked."""
    return layout.stats_table(wildcards.env, config["landscape"]["algo"])


def pick_table(picks, **wildcards):
    """The table a pick rule (a Snakemake checkpoint) wrote for these wildcards, read once it
    exists, so that a job declares the few policies it loads, not every policy of its learner (at
    80 seeds, 880 files a job)."""
    from workflow_lib.core.tables import read_table  # here: only planning after the picks pays for it

    return read_table(picks.get(**wildcards).output[0])


def picked_policies(picks, env):
    """The (seed, step) of the policies an env's picks table names."""
    from workflow_lib.analysis.selection import picked

    return picked(pick_table(picks, env=env))


def picked_policy_files(picks, env, algo):
    """The checkpoints (and replay files) of the policies a picks table names."""
    return layout.picked_policy_files(env, algo, picked_policies(picks, env))


def failures_picked(wildcards):
    return picked_policies(checkpoints.failures_picks, wildcards.env)


def landscape_policies(wildcards):
    """The checkpoints (and replay files) of the env's landscape pair (landscape_picks)."""
    return picked_policy_files(checkpoints.landscape_picks, wildcards.env, config["landscape"]["algo"])


def landscape_purd_settings():
    """params.settings of the landscape's histograms: PURDs of the pair, hist_samples each."""
    return {**purd_settings(config["landscape"]["algo"]), "n": config["landscape"]["hist_samples"]}


def failures_stats(wildcards):
    """The statistics of the env's failures.algo policies, from which the noisy ones are picked."""
    return layout.stats_table(wildcards.env, config["failures"]["algo"])


def failures_purds(wildcards):
    """The PURDs of the env's picked failures.algo policies, whose samples are rolled out again."""
    algo = config["failures"]["algo"]
    return [layout.purd_path(wildcards.env, algo, algo, seed, step) for seed, step in failures_picked(wildcards)]


def failures_policies(wildcards):
    """The checkpoints (and replay files) of the env's picked failures.algo policies."""
    return layout.picked_policy_files(wildcards.env, config["failures"]["algo"], failures_picked(wildcards))


def interpolation_stats(wildcards):
    """The statistics of the env's interpolation.algo policies, from which Table 2's pairs are picked."""
    return layout.stats_table(wildcards.env, config["interpolation"]["algo"])


def interpolation_policies(wildcards):
    """The checkpoints (and replay files) of the policies of the env's Table 2 pairs."""
    return picked_policy_files(checkpoints.interpolation_pairs, wildcards.env, config["interpolation"]["algo"])


def btp_policy_files(wildcards):
    """Every checkpoint (and replay file) of the env's interpolation learner's policies: the BTP's
    random pairs are drawn among them all."""
    return layout.policy_files(config, wildcards.env, interpolation_algo(config, wildcards.env))


def interpolation_path_settings(wildcards):
    """params.interpolation of a paths job: sigma only where the points are perturbed (the plain
    paths roll out the unperturbed interpolants), so a sigma edit leaves them be."""
    cfg = config["interpolation"]
    return {
        "points": cfg["points"],
        "batch_size": cfg["batch_size"],
        "sigma": cfg["sigma"] if wildcards.kind == "perturbed" else 0.0,
    }


def interpolation_path_samples(wildcards):
    """params.samples of a paths job: perturbed rollouts per point (0: one plain rollout)."""
    return config["interpolation"]["perturbations"] if wildcards.kind == "perturbed" else 0


def interpolation_runtime(wildcards):
    """resources.runtime of a paths job (at its env's rollout rate)."""
    return requests.interpolation_runtime(config, wildcards.kind, wildcards.env)


def btp_runtime(wildcards):
    """resources.runtime of a BTP job (at its env's rollout rate)."""
    return requests.btp_runtime(config, wildcards.env)


def btp_settings(wildcards):
    """params.interpolation of a BTP job: the interpolation keys it computes from, and its env's
    interpolation learner."""
    keys = ("sigma", "batch_size", "btp_samples", "btp_threshold")
    return {
        "algo": interpolation_algo(config, wildcards.env),
        **{k: config["interpolation"][k] for k in keys},
        **btp_sizes(config, wildcards.env),
        **return_settings(config, wildcards.env),
    }


def btp_policies(wildcards):
    """The env's interpolation learner's policies, among which the BTP's random pairs are drawn."""
    return layout.policies(config, wildcards.env, interpolation_algo(config, wildcards.env))


def btp_mem(wildcards):
    """resources.mem_mb of a BTP job: its learner's PURD job's."""
    return requests.purd_mem(config, interpolation_algo(config, wildcards.env))


def algorithm1_stats(wildcards):
    """The statistics of the env's policies of Algorithm 1's learner, its starts' candidates."""
    return layout.stats_table(wildcards.env, wildcards.algo)


def algorithm1_policies(wildcards):
    """The checkpoint (and replay file) of the run's starting policy, its row of the starts table.
    algorithm1_starts is a Snakemake checkpoint, so the row is read once the table exists; a run
    declares its two files instead of every policy of its learner (at 80 seeds those lists were
    176,000 of the paper DAG's 240,000 edges)."""
    from workflow_lib.analysis.selection import rejection_start

    starts = pick_table(checkpoints.algorithm1_starts, env=wildcards.env, algo=wildcards.algo)
    row = rejection_start(starts, int(wildcards.start))
    return layout.picked_policy_files(wildcards.env, wildcards.algo, [(row["seed"], row["step"])])


def algorithm1_runtime(wildcards):
    """resources.runtime of a run of Algorithm 1 (at its env's rollout rate)."""
    return requests.algorithm1_runtime(config, wildcards.env)


def algorithm1_mem(wildcards):
    """resources.mem_mb of a run of Algorithm 1 (asked for only where the config has its learner)."""
    return requests.algorithm1_mem(config, wildcards.env)


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


def start_states_inputs(wildcards):
    """A start-states job reads its TD3 run's checkpoints, replay file and stored states."""
    return layout.start_states_inputs(config, wildcards.env, int(wildcards.seed))


def bc_teacher_checkpoints(wildcards):
    """The TD3 checkpoints a BC job clones (behaviour_cloning.teachers of its run)."""
    return [layout.checkpoint_path(wildcards.env, "td3", wildcards.seed, t) for t in layout.bc_teachers(config)]


# Figures.


def figure_env(figure):
    """The env a numbered per-env figure shows, checked against the config's envs."""
    env = PAPER_FIGURE_ENVS.get(figure) or config["figures"]["figure2"]["env"]
    if env not in config["envs"]:
        # SystemExit, not an exception: Snakemake would wrap that in a traceback of this file.
        sys.exit(f"Invalid target: {figure} shows {env}, which is not in the config key 'envs' {config['envs']}")
    return env


def failure_figure_envs(wildcards):
    """Figure 3 shows the envs of figures.figure3.envs, Figure 23 every env."""
    return config["figures"]["figure3"]["envs"] if wildcards.name == "figure3" else study_envs(config, "failures")


def failure_figure_files(wildcards):
    """The failure rollouts of each env a failure figure shows."""
    return [layout.failures_file(env, "trajectories") for env in failure_figure_envs(wildcards)]


def interpolation_envs(wildcards):
    """Figures 5 and 9 show the envs of their config entries, Figure 8 every env."""
    name = wildcards.name
    return config["figures"][name]["envs"] if name in ("figure5", "figure9") else study_envs(config, "interpolation")


def interpolation_figure_files(wildcards):
    """The paths of each env an interpolation figure shows: Figure 8 the perturbed same-run paths,
    Figures 5 and 9 the plain ones."""
    kind = "perturbed" if wildcards.name == "figure8" else "paths"
    return [layout.interpolation_file(env, kind) for env in interpolation_envs(wildcards)]


def interpolation_figure_value(wildcards):
    """The column an interpolation figure draws: Figure 8 the mean of the perturbed rollouts."""
    return "mean" if wildcards.name == "figure8" else "return"


def algorithm1_figure_stats(wildcards):
    """Figure 24 draws every policy of Algorithm 1's learner: the statistics tables of that learner."""
    if wildcards.name != "figure24":
        return []
    return layout.stats_tables(config, study_envs(config, "algorithm1"), [config["algorithm1"]["algo"]])


def algorithm1_figure_resamples(wildcards):
    """Bootstrap resamples of Figure 7's interval (Figures 24 and 26 draw none)."""
    return config["stats"]["resamples"] if wildcards.name == "figure7" else None


def algorithm1_figure_confidence(wildcards):
    """Confidence of Figure 7's interval (Figures 24 and 26 draw none)."""
    return config["stats"]["confidence"] if wildcards.name == "figure7" else None


# Algorithm 1's figures: built where the config has an off-policy learner (algorithm1.algo).
ALGORITHM1_FIGURES = ("figure7", "figure24", "figure25", "figure26")
# The Atari study's figures (A.6, config.ATARI_FIGURES) are built where the config names Atari games.
# The appendix studies of TD3 runs (Figure 10, Figure 22 and its table): built where td3 is in algos.
TD3_FIGURES = ("figure10", "figure22")
BC_TABLES = {
    "correlations": layout.table("bc_correlations"),
    "ltp": layout.table("bc_ltp"),
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
    *ATARI_FIGURES,
)


def built_figures():
    """The figure targets `all` builds: every one, but Algorithm 1's where it cannot run, and
    none whose study has no env (the Brax studies' on a config of host-stepped envs only)."""
    skip = tuple(f for f in FIGURE_TARGETS if not figure_envs(config, f))
    skip += ALGORITHM1_FIGURES if config["algorithm1"]["algo"] is None else ()
    skip += TD3_FIGURES if "td3" not in config["algos"] else ()
    return [f for f in FIGURE_TARGETS if f not in skip]


def figure_files(figure):
    """The files of a landscape, failure, interpolation, Algorithm 1, appendix or Atari figure target."""
    figs = config["figures"]
    if figure in ATARI_FIGURES and not atari_games(config):
        sys.exit(
            f"Invalid target: {figure} studies PPO on Atari games, and the config key 'envs' {config['envs']} names "
            "none (atari-<Game>, e.g. atari-Breakout: configs/atari.yaml)"
        )
    if not figure_envs(config, figure):
        sys.exit(
            f"Invalid target: {figure}'s study runs on Brax envs, and the config key 'envs' {config['envs']} has "
            "none (a DM Control or Gymnasium task has its training, PURDs, statistics, map, interpolation, failures "
            "and Algorithm 1 studies)"
        )
    if figure in ALGORITHM1_FIGURES and config["algorithm1"]["algo"] is None:
        sys.exit(
            f"Invalid target: {figure} needs Algorithm 1, which needs td3 or sac in the config key 'algos' "
            f"{config['algos']}"
        )
    if figure in TD3_FIGURES and "td3" not in config["algos"]:
        sys.exit(
            f"Invalid target: {figure} studies TD3 runs, but td3 is not in the config key 'algos' {config['algos']}"
        )
    if figure == "table2":
        return [layout.table("table2"), layout.figure("table2", "html")]
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


def figure_target_files(figure, wildcards):
    """Input function of a figure target (functools.partial of the figure): its files, checked
    only when the target is asked for."""
    return figure_files(figure)


def purd_map_target(figure, wildcards):
    """Input function of Figure 2 or 11-18 (functools.partial of the figure): its env's PURD map."""
    return layout.purd_map(figure_env(figure))


def env_map_target(env, wildcards):
    """Input function of an env's map target (map_<env>, functools.partial of the env)."""
    return layout.purd_map(env)


# The Atari study (rules/atari.smk).


def atari_stats_tables(wildcards):
    """The statistics tables of the config's games (their Atari learner's policies)."""
    return layout.stats_tables(config, atari_games(config))


def atari_purds(wildcards):
    """Figure 20's input: the PURDs of every policy of the games (it draws chosen ones)."""
    return (
        [p for env in atari_games(config) for p in layout.own_purds(config, env)]
        if wildcards.name == "figure20"
        else []
    )


def atari_runs():
    """The Atari study's runs, for the figures' titles (the laptop study is far from the paper's)."""
    algo = next((a for a in config["algos"] if ALGORITHMS[a].pixels), None)
    if algo is None:
        return ""
    steps = config[algo]["total_steps"]
    return (
        f"{len(algo_seeds(config, algo))} runs x {steps:,} steps, {len(config[algo]['checkpoints'])} policies per run"
    )


def atari_scale():
    """Figures 20 and 21's titles: the runs, the PURDs' size, their update and their return."""
    runs = atari_runs()
    if not runs:
        return ""
    algo = next(a for a in config["algos"] if ALGORITHMS[a].pixels)
    return (
        f"{runs}, N = {config['purd']['samples']}\n{atari_titles.update_caption(config, algo)}; "
        f"{atari_titles.return_caption(config, config['atari']['episode_length'])}"
    )


def atari_btp_title():
    """Figure 19's title: the runs, and the paths' size (pairs of each kind per game, points a path)."""
    runs = atari_runs()
    if not runs:
        return ""
    sizes = btp_sizes(config, atari_games(config)[0])
    return (
        f"PPO on Atari: below-threshold proportion of interpolation paths\n({runs}; "
        f"{sizes['btp_pairs']} random pairs of each kind per game, {sizes['points']} points a path, "
        f"{sizes['btp_samples']} perturbed rollouts a point)\n"
        f"{atari_titles.return_caption(config, config['episode_length'])}"
    )


# Figures 11-18 of the paper show these envs (14-18: DM Control Suite, host-stepped); Figure 2
# the env named in the config.
PAPER_FIGURE_ENVS = {
    "figure11": "halfcheetah",
    "figure12": "hopper",
    "figure13": "walker2d",
    "figure14": "dmc-quadruped-walk",
    "figure15": "dmc-quadruped-run",
    "figure16": "dmc-humanoid-stand",
    "figure17": "dmc-humanoid-walk",
    "figure18": "dmc-humanoid-run",
}
