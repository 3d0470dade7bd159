"""The params of the rules, computed from the validated config when the workflow is parsed: each
holds everything its jobs compute from, and nothing more, so that an edit reruns exactly the jobs
whose result it can change (Snakemake's params trigger)."""

from __future__ import annotations

from workflow_lib.agents.registry import ALGORITHMS, off_policy, plays_atari
from workflow_lib.envs.gym_frames import study_subject
from workflow_lib.workflow import atari_titles, layout
from workflow_lib.workflow.config import algo_seeds
from workflow_lib.workflow.envsets import (
    atari_games,
    btp_sizes,
    episode_length,
    interpolation_algo,
    learner_episode_length,
    learner_return_settings,
    return_settings,
)


def section(config: dict, name: str, keys: tuple[str, ...]) -> dict:
    """The keys of one config section a rule's jobs compute from."""
    return {key: config[name][key] for key in keys}


def purd_settings(config: dict, kind: str, study: dict | None = None) -> dict:
    """Everything a PURD job of this kind of update computes from; N and the chunk size from
    `study` (a study's own section), else from purd."""
    purd = config["purd"]
    return {
        "n": (study or purd)["samples"],
        "batch_size": (study or purd)["batch_size"],
        # an on-policy update collects its own unroll: update_batch of them at once
        "update_batch": purd["ppo_update_batch"] if kind in ALGORITHMS and not off_policy(kind) else 0,
        "sigma": purd["sigma"] if kind == "gaussian" else 0.0,
        "episode_length": learner_episode_length(config, kind),  # the Gaussian update: gaussian_purd_settings
        "with_rewards": purd["per_step_rewards"] and study is None,  # the studies keep returns only
        # the learner's own update: its purd_* keys (ppo.purd_max_grad_norm, ppo_atari.purd_update, ...)
        "update_options": layout.purd_update_options(config, kind),
        # an Atari learner's rollouts: which return (atari.return)
        **learner_return_settings(config, kind),
    }


def gaussian_purd_settings(config: dict, env: str) -> dict:
    """A Gaussian PURD job's settings: as any PURD's, capped as its env's rollouts are."""
    return {
        **purd_settings(config, "gaussian"),
        "episode_length": episode_length(config, env),
        **return_settings(config, env),
    }


def stats_settings(config: dict) -> dict:
    """Everything a statistics table computes from (StatsSettings.from_config)."""
    return section(config, "stats", ("cvar_alphas", "ltp_alpha", "bins", "resamples", "confidence"))


def landscape_purd_settings(config: dict) -> dict:
    """The landscape's histograms: PURDs of the pair, hist_samples each."""
    return {**purd_settings(config, config["landscape"]["algo"]), "n": config["landscape"]["hist_samples"]}


def landscape_purd_samples(config: dict) -> int:
    """Samples of a landscape PURD job: hist_samples of each policy of the pair."""
    return 2 * config["landscape"]["hist_samples"]


def interpolation_path_settings(config: dict, kind: str) -> dict:
    """A paths job's interpolation settings: sigma only where the points are perturbed (the plain
    paths roll out the unperturbed interpolants), so a sigma edit leaves them be."""
    cfg = config["interpolation"]
    return {
        "points": cfg["points"],
        "batch_size": cfg["batch_size"],
        "sigma": cfg["sigma"] if kind == "perturbed" else 0.0,
    }


def interpolation_path_samples(config: dict, kind: str) -> int:
    """Perturbed rollouts per point of a paths job (0: one plain rollout)."""
    return config["interpolation"]["perturbations"] if kind == "perturbed" else 0


def btp_settings(config: dict, env: str) -> dict:
    """A BTP job's interpolation keys and its env's interpolation learner."""
    return {
        "algo": interpolation_algo(config, env),
        **section(config, "interpolation", ("sigma", "batch_size", "btp_samples", "btp_threshold")),
        **btp_sizes(config, env),
        **return_settings(config, env),
    }


def algorithm1_settings(config: dict) -> dict:
    """Everything a run of Algorithm 1 computes from (studies.algorithm1.Settings)."""
    stats = config["stats"]
    return {
        **section(config, "algorithm1", ("proposals", "samples", "alpha", "delta", "batch_size")),
        "episode_length": config["episode_length"],
        "ltp_alpha": stats["ltp_alpha"],
        "bins": stats["bins"],
    }


def algorithm1_figure_interval(config: dict, figure: str) -> dict:
    """Bootstrap resamples and confidence of Figure 7's interval (Figures 24 and 26 draw none)."""
    stats = config["stats"]
    drawn = figure == "figure7"
    return {"resamples": stats["resamples"] if drawn else None, "confidence": stats["confidence"] if drawn else None}


def atari_learner(config: dict) -> str | None:
    """The config's learner for Atari games, if it has one."""
    return next((a for a in config["algos"] if plays_atari(a)), None)


def atari_runs(config: dict) -> str:
    """The Atari study's runs, for the figures' titles (the laptop study is far from the paper's)."""
    algo = atari_learner(config)
    if algo is None:
        return ""
    section_ = config[algo]
    runs = len(algo_seeds(config, algo))
    return f"{runs} runs x {section_['total_steps']:,} steps, {len(section_['checkpoints'])} policies per run"


def atari_scale(config: dict) -> str:
    """Figures 20 and 21's titles: the runs, the PURDs' size, their update and their return."""
    runs = atari_runs(config)
    if not runs:
        return ""
    algo = atari_learner(config)
    return (
        f"{runs}, N = {config['purd']['samples']}\n{atari_titles.update_caption(config, algo)}; "
        f"{atari_titles.return_caption(config, config['atari']['episode_length'])}"
    )


def atari_btp_title(config: dict) -> str:
    """Figure 19's title: the runs, and the paths' size (pairs of each kind per game, points a path)."""
    runs = atari_runs(config)
    if not runs:
        return ""
    sizes = btp_sizes(config, atari_games(config)[0])
    return (
        f"{study_subject(atari_games(config))}: below-threshold proportion of interpolation paths\n({runs}; "
        f"{sizes['btp_pairs']} random pairs of each kind per game, {sizes['points']} points a path, "
        f"{sizes['btp_samples']} perturbed rollouts a point)\n"
        f"{atari_titles.return_caption(config, config['episode_length'])}"
    )
