"""Which envs the config trains with which learners, which envs each study runs on, and the open
choices of the figures and studies (null in the config) filled from them."""

from __future__ import annotations

import importlib.util

from workflow_lib.agents.registry import off_policy, plays_atari
from workflow_lib.core.errors import ConfigError
from workflow_lib.envs.atari import ATARI_HINT
from workflow_lib.envs.gym_envs import use_modules
from workflow_lib.envs.host import EXTRA_HINT, host_family, plays_frames, split_host_env

BRAX_ENVS = ("ant", "halfcheetah", "hopper", "walker2d", "probe")  # envs.native.ENV_NAMES (that imports Brax)
SIMULATOR_PACKAGES = {"dmc": "dm_control", "gym": "gymnasium", "atari": "ale_py"}
EXTRA_HINTS = {"dmc": EXTRA_HINT, "gym": EXTRA_HINT, "atari": ATARI_HINT}


def env_algos(config: dict, env: str) -> list[str]:
    """The learners trained on an env: on an env played from frames (an Atari game, or a discrete
    Gymnasium env of the user's) the Atari learners (ppo_atari), elsewhere the others: every one on
    a Brax env, the off-policy ones on a DM Control or Gymnasium task (its training loop,
    host_loop, is the replay loop; PPO trains on Brax)."""
    if plays_frames(env):
        return [a for a in config["algos"] if plays_atari(a)]
    family = host_family(env)
    return [a for a in config["algos"] if not plays_atari(a) and (family is None or off_policy(a))]


# Studies whose jobs roll policies out through the engine (and Algorithm 1's proposals, through
# training's loop of the env's family), so they run on any env family; their config section may
# restrict them to some envs (<study>.envs).
ENGINE_STUDIES = ("interpolation", "failures", "algorithm1")
# Figures that draw Brax gaits (the Brax viewer): on Brax envs, whatever their study.
GAIT_FIGURES = ("figure1", "figure4")


def study_envs(config: dict, study: str | None = None) -> list[str]:
    """The config's envs a study runs on: those where its learner (config[study]["algo"]) is
    trained (or those of config[study]["envs"]), and Brax ones only unless the study is an engine
    study (interpolation and BTP; failures, whose Figure 4 alone draws Brax gaits; Algorithm 1).
    Landscapes (their gaits), start states (stored Brax states) and behaviour cloning are built
    on Brax; a host-stepped env also gets its training, PURDs, statistics, map (Figures 14-18),
    interpolation, failures (Figures 3 and 23) and Algorithm 1 (Figures 7, 24, 25, 26)."""
    algo = config[study].get("algo") if study else None
    chosen = (config[study].get("envs") if study else None) or config["envs"]
    # Atari games, and the envs played as they are, have studies of their own (atari_games: Figures 19-21).
    return [env for env in chosen if not plays_frames(env) and (host_family(env) is None or study in ENGINE_STUDIES)
            and (algo is None or algo in env_algos(config, env))
            and (study != "algorithm1" or can_fork(env))]


def can_fork(env: str) -> bool:
    """Whether Algorithm 1's variants can part on an env: they fork its simulator through a
    snapshot, which a Gymnasium env of the user's without MuJoCo or get_state lacks."""
    if host_family(env) != "gym":
        return True
    from workflow_lib.envs.gym_envs import requirements

    return requirements(split_host_env(env)[1]).snapshot is not None


def episode_length(config: dict, env: str) -> int:
    """The cap of an env's training episodes and evaluation rollouts: an Atari game's own (its
    games are longer; its training copies truncate themselves), else episode_length."""
    return config["atari"]["episode_length"] if plays_frames(env) else config["episode_length"]


def learner_episode_length(config: dict, algo: str) -> int:
    """The rollout cap of a learner's PURDs: an Atari learner plays Atari games only."""
    return config["atari"]["episode_length"] if plays_atari(algo) else config["episode_length"]


def learner_return_settings(config: dict, algo: str) -> dict:
    """What a learner's PURD rollouts return, where the config chooses it (return_settings): an
    Atari learner plays Atari games only; a Gaussian kind or another learner, nothing."""
    return {"atari_return": config["atari"]["return"]} if plays_atari(algo) else {}


def atari_games(config: dict) -> list[str]:
    """The config's Atari games, and the discrete Gymnasium envs of the user's played as they are:
    their PPO's PURDs (Figures 20, 21) and BTP (Figure 19)."""
    return [env for env in config["envs"] if plays_frames(env)]


def btp_sizes(config: dict, env: str) -> dict:
    """btp_pairs, points and btp_samples of an env's BTP: the interpolation section's, or on an
    Atari game Figure 19's own where the config sets them (atari.btp_pairs, atari.points) and
    its perturbed rollouts per point (atari.interpolation_samples)."""
    sizes = {k: config["interpolation"][k] for k in ("btp_pairs", "points", "btp_samples")}
    if plays_frames(env):
        sizes.update({k: config["atari"][k] for k in ("btp_pairs", "points") if config["atari"][k] is not None})
        sizes["btp_samples"] = config["atari"]["interpolation_samples"]
    return sizes


def return_settings(config: dict, env: str) -> dict:
    """What an env's rollouts return, where the config chooses it: on an Atari game atari.return
    (Settings.atari_return); nothing elsewhere, so that an edit leaves other envs' jobs be."""
    return {"atari_return": config["atari"]["return"]} if plays_frames(env) else {}


def interpolation_algo(config: dict, env: str) -> str:
    """The learner whose policies an env's interpolation jobs pair: interpolation.algo, or on an
    Atari game its Atari learner (the paper's A.6: PPO)."""
    return env_algos(config, env)[0] if plays_frames(env) else config["interpolation"]["algo"]


def check_study_envs(config: dict) -> None:
    """A study's own envs (interpolation.envs) are envs of the config on which it runs."""
    for study in ENGINE_STUDIES:
        for env in config[study].get("envs") or []:
            if env not in config["envs"]:
                raise ConfigError(f"config key '{study}.envs': {env!r} is not in envs {config['envs']}")
            if study == "algorithm1" and not can_fork(env):
                raise ConfigError(f"config key 'algorithm1.envs': Algorithm 1 forks {env}'s simulator between its "
                                  f"variants, and it cannot be saved (no MuJoCo state, no get_state/set_state)")
            if env not in study_envs(config, study):
                raise ConfigError(f"config key '{study}.envs': {config[study]['algo']} ({study}.algo) does not train "
                                  f"on {env}")


def check_envs(config: dict) -> None:
    """Each env a Brax env or a known host-stepped task whose simulator is installed, with a
    learner (env_algos). A learner of algos may train on none of them (ppo beside a DM Control
    task only): README, "Host-stepped environments". The user's gym_modules are imported first:
    they register their ids (envs/gym_envs.py checks each gym- env against what the studies need)."""
    if config["gym_modules"]:
        if importlib.util.find_spec("gymnasium") is None:
            raise ConfigError(f"config key 'gym_modules': importing them needs gymnasium, not installed here: {EXTRA_HINT}")
        use_modules(config["gym_modules"])
    for i, env in enumerate(config["envs"]):
        family = host_family(env)
        if family is None and env not in BRAX_ENVS:
            raise ConfigError(f"config key 'envs[{i}]': unknown env {env!r}; Brax envs are {', '.join(BRAX_ENVS)}, "
                              f"host-stepped ones dmc-<domain>-<task> (dmc-quadruped-walk), gym-<id> (gym-Hopper-v5) "
                              f"or atari-<Game> (atari-Breakout)")
        if family is not None:
            if importlib.util.find_spec(SIMULATOR_PACKAGES[family]) is None:
                raise ConfigError(f"config key 'envs[{i}]': {env} needs the simulator package "
                                  f"{SIMULATOR_PACKAGES[family]}, not installed here: {EXTRA_HINTS[family]}")
            try:
                split_host_env(env)
            except ValueError as err:
                raise ConfigError(f"config key 'envs[{i}]': {err}") from None
        if not env_algos(config, env):
            what = ("Atari games and discrete Gymnasium envs train ppo_atari" if plays_frames(env) else
                    {None: "Brax envs train td3, sac and ppo"}.get(
                        family, "DM Control and Gymnasium tasks train the off-policy learners (td3, sac)"))
            raise ConfigError(f"config key 'algos': {config['algos']} has no learner for the env {env}: {what}")


# Where the config leaves a choice open (null): the paper's envs of each figure, and the paper's
# algorithm of each study, if the config has them.
PAPER_FIGURE_ENVS = {"figure2": ["ant"], "figure1": ["hopper"], "figure3": ["halfcheetah", "walker2d"], "figure4": ["walker2d"],
                     "figure5": ["hopper", "walker2d"], "figure9": ["ant", "halfcheetah"],
                     "figure10": ["ant", "walker2d"]}
PAPER_ALGOS = {"landscape": "sac", "failures": "td3", "interpolation": "td3"}
# The study of each figure that has one beyond the PURD maps (the others, the appendix's, are
# Brax studies of their own: study_envs(config, None)).
FIGURE_STUDIES = {
    **dict.fromkeys(("figure1", "figure27"), "landscape"),
    **dict.fromkeys(("figure7", "figure24", "figure25", "figure26"), "algorithm1"),
    **dict.fromkeys(("figure3", "figure23", "figure4"), "failures"),
    **dict.fromkeys(("figure5", "figure6", "figure8", "figure9", "table2"), "interpolation"),
}
OFF_POLICY = ("td3", "sac")  # Algorithm 1's learners, the paper's first


ATARI_FIGURES = ("figure19", "figure20", "figure21")


def figure_envs(config: dict, figure: str) -> list[str]:
    """The envs a figure's study runs on (study_envs); a figure of Brax gaits, on the Brax ones;
    an Atari figure, on the games."""
    if figure in ATARI_FIGURES:
        return atari_games(config)
    envs = study_envs(config, FIGURE_STUDIES.get(figure))
    return [env for env in envs if host_family(env) is None] if figure in GAIT_FIGURES else envs


def resolve_choices(config: dict) -> None:
    """Fill the open choices in place: figures.<figure>.env(s) become the paper's envs that the
    config trains, else its first env (figure3: all of them); landscape.algo and failures.algo
    the paper's algorithm, else the first of algos not for Atari games only; algorithm1.algo td3, else sac, else None (no
    Algorithm 1 study). A value set by the user must be in envs/algos."""
    for study, paper in PAPER_ALGOS.items():
        algo = config[study]["algo"]
        if algo is None:  # the paper's, else the first learner that is not for Atari games only
            others = [a for a in config["algos"] if not plays_atari(a)] or config["algos"]
            algo = paper if paper in config["algos"] else others[0]
        if algo not in config["algos"]:
            raise ConfigError(f"config key '{study}.algo': {algo!r} is not in algos {config['algos']}")
        config[study]["algo"] = algo
    for figure, paper in PAPER_FIGURE_ENVS.items():
        section = config["figures"][figure]
        key = "envs" if "envs" in section else "env"
        # Figure 2 is a PURD map, of any env; the other figures' envs are their studies'.
        candidates = config["envs"] if figure == "figure2" else figure_envs(config, figure)
        chosen = section[key]
        if chosen is None:
            found = [e for e in paper if e in candidates]
            chosen = found or (list(candidates) if key == "envs" else candidates[:1])
        chosen = chosen if isinstance(chosen, list) else [chosen]
        missing = [e for e in chosen if e not in config["envs"]]
        if missing:
            raise ConfigError(f"config key 'figures.{figure}.{key}': {missing} not in envs {config['envs']}")
        host = [e for e in chosen if e not in candidates]
        if host:
            raise ConfigError(f"config key 'figures.{figure}.{key}': this figure's study does not run on {host[0]} "
                              f"(it runs on {candidates or 'none of envs'})")
        section[key] = chosen if key == "envs" else (chosen[0] if chosen else None)
    # Algorithm 1 needs an off-policy learner (its proposals are training steps on a replay
    # buffer): with none in algos there is no Algorithm 1 study, unless one is asked for.
    algo = config["algorithm1"]["algo"]
    if algo is None:
        algo = next((a for a in OFF_POLICY if a in config["algos"]), None)
    elif algo not in config["algos"]:
        raise ConfigError(f"config key 'algorithm1.algo': {algo!r} is not in algos {config['algos']}")
    config["algorithm1"]["algo"] = algo
