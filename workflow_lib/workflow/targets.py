"""Which targets a config can build: the figure targets, the files each one names and what `all`
builds. A target asked for that the config cannot build is refused in one line (InvalidTarget)."""

from __future__ import annotations

from workflow_lib.workflow import layout
from workflow_lib.workflow.envsets import ATARI_FIGURES, atari_games, can_fork, figure_envs

# The PURD maps of the paper's Figures 11-18 show these envs (14-18: DM Control Suite tasks);
# Figure 2's env is the config's figures.figure2.env.
MAP_FIGURE_ENVS = {
    "figure11": "halfcheetah",
    "figure12": "hopper",
    "figure13": "walker2d",
    "figure14": "dmc-quadruped-walk",
    "figure15": "dmc-quadruped-run",
    "figure16": "dmc-humanoid-stand",
    "figure17": "dmc-humanoid-walk",
    "figure18": "dmc-humanoid-run",
}
MAP_FIGURES = ("figure2", *MAP_FIGURE_ENVS)
# Algorithm 1's figures: built where the config has an off-policy learner (algorithm1.algo).
ALGORITHM1_FIGURES = ("figure7", "figure24", "figure25", "figure26")
# The appendix studies of TD3 runs (Figure 10, Figure 22 and its table): built where td3 is in algos.
TD3_FIGURES = ("figure10", "figure22")
# The figure targets beyond the PURD maps, each part of `all` where its study runs; the Atari
# study's (A.6) where the config names Atari games.
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
BC_TABLES = {"correlations": layout.table("bc_correlations"), "ltp": layout.table("bc_ltp")}


class InvalidTarget(SystemExit):
    """A target the config cannot build. A SystemExit, so that Snakemake prints its one line
    instead of wrapping an exception of an input function in a traceback."""

    def __init__(self, message: str):
        super().__init__(f"Invalid target: {message}")


def map_figure_env(config: dict, figure: str) -> str:
    """The env a PURD-map figure (2, 11-18) shows, checked against the config's envs."""
    env = MAP_FIGURE_ENVS.get(figure) or config["figures"]["figure2"]["env"]
    if env not in config["envs"]:
        raise InvalidTarget(f"{figure} shows {env}, which is not in the config key 'envs' {config['envs']}")
    return env


def built_figures(config: dict) -> list[str]:
    """The figure targets `all` builds: every one, but Algorithm 1's where it cannot run, the TD3
    studies' without td3, and none whose study has no env (the Brax studies' on a config of
    host-stepped envs only, the Atari study's without games)."""
    skip = {f for f in FIGURE_TARGETS if not figure_envs(config, f)}
    skip |= set(ALGORITHM1_FIGURES) if config["algorithm1"]["algo"] is None else set()
    skip |= set(TD3_FIGURES) if "td3" not in config["algos"] else set()
    return [f for f in FIGURE_TARGETS if f not in skip]


def check_buildable(config: dict, figure: str) -> None:
    """Refuse, in one line naming the config key, a figure target whose study the config lacks."""
    if figure in ATARI_FIGURES and not atari_games(config):
        raise InvalidTarget(
            f"{figure} studies PPO on Atari games, and the config key 'envs' {config['envs']} names "
            "none (atari-<Game>, e.g. atari-Breakout: configs/atari.yaml; or a Gymnasium env of discrete actions "
            "and frames)"
        )
    if figure in ALGORITHM1_FIGURES and not figure_envs(config, figure) and any(
            not can_fork(env) for env in config["envs"]):
        raise InvalidTarget(
            f"{figure}'s Algorithm 1 forks each env's simulator between its variants, and no env of the config key "
            f"'envs' {config['envs']} can be saved (a Gymnasium env without MuJoCo needs get_state and set_state: "
            "README, 'Add your own environment')"
        )
    if not figure_envs(config, figure):
        raise InvalidTarget(
            f"{figure}'s study runs on Brax envs, and the config key 'envs' {config['envs']} has "
            "none (a DM Control or Gymnasium task has its training, PURDs, statistics, map, interpolation, failures "
            "and Algorithm 1 studies)"
        )
    if figure in ALGORITHM1_FIGURES and config["algorithm1"]["algo"] is None:
        raise InvalidTarget(
            f"{figure} needs Algorithm 1, which needs td3 or sac in the config key 'algos' {config['algos']}"
        )
    if figure in TD3_FIGURES and "td3" not in config["algos"]:
        raise InvalidTarget(f"{figure} studies TD3 runs, but td3 is not in the config key 'algos' {config['algos']}")


def figure_files(config: dict, figure: str) -> list[str]:
    """The files of a figure target beyond the maps (FIGURE_TARGETS), checked buildable."""
    check_buildable(config, figure)
    figures = config["figures"]
    if figure == "table2":
        return [layout.table("table2"), layout.figure("table2", "html")]
    if figure == "figure22":
        return [*BC_TABLES.values(), layout.figure("figure22"), layout.figure("table_bc", "html")]
    if figure in ("figure1", "figure27"):
        return [layout.figure(f"{figure}_{figures['figure1']['env']}")]
    if figure != "figure4":  # one figure over the envs
        return [layout.figure(figure)]
    env = figures["figure4"]["env"]
    pages = [layout.figure(f"figure4_{env}_{rollout}", "html") for rollout in ("success", "failure")]
    return [layout.figure(f"figure4_{env}"), *pages]


def all_targets(config: dict) -> list[str]:
    """What `all` builds: the learning curves, each env's PURD map (so every checkpoint and its
    PURD; Figures 2 and 11-18 are maps) and every figure target the config can build. The
    checkpoints are not listed: each target file is a root of Snakemake's DAG search, and 9,600
    of them (80 seeds) took seconds."""
    return [
        layout.figure("learning_curves"),
        *[layout.purd_map(env) for env in config["envs"]],
        *[path for figure in built_figures(config) for path in figure_files(config, figure)],
    ]
