"""Config validation: the shipped configs pass; each kind of mistake is one error naming its key."""

import copy
from pathlib import Path

import pytest
import yaml

from workflow_lib.workflow.config import ConfigError, seed_blocks, validate_config

ROOT = Path(__file__).resolve().parent.parent


def load(name):
    return yaml.safe_load((ROOT / name).read_text())


@pytest.mark.parametrize("name", ["config.yaml", "configs/tiny.yaml", "configs/paper.yaml", "configs/dmc.yaml",
                                  "configs/gym.yaml", "configs/atari.yaml"])
def test_shipped_configs_are_valid(name):
    cfg = validate_config(load(name))
    if name in ("configs/dmc.yaml", "configs/gym.yaml", "configs/atari.yaml"):  # they extend config.yaml, as --configfile does
        cfg = validate_config({**load("config.yaml"), **load(name)})
    assert cfg["td3"]["gamma"] == 0.99 and cfg["ppo"]["num_envs"] > 0


def test_defaults_are_spec_values():
    cfg = validate_config(load("config.yaml"))
    assert cfg["td3"]["policy_noise"] == 0.2 and cfg["td3"]["noise_clip"] == 0.5
    assert cfg["td3"]["warmup_steps"] == 10000 and cfg["sac"]["target_entropy_scale"] == 0.5
    assert cfg["ppo"]["learning_rate"] == 2.6e-3 and cfg["ppo"]["value_coef"] == 2.0
    assert cfg["train"]["seeds_per_job"] == 1
    assert cfg["purd"]["sigma"] == 3e-4 and cfg["stats"]["cvar_alphas"] == [0.1] and cfg["stats"]["ltp_alpha"] == 0.5
    assert cfg["stats"]["resamples"] == 1000 and cfg["stats"]["bins"] == 100


def broken(edit):
    cfg = copy.deepcopy(load("config.yaml"))
    edit(cfg)
    return cfg


@pytest.mark.parametrize(
    "edit, key",
    [
        (lambda c: c.update(envs=["hoper"]), "envs[0]"),
        (lambda c: c.update(algos=["td3", "ddpg"]), "algos[1]"),
        (lambda c: c["td3"].update(learning_rat=1e-3), "td3.learning_rat"),
        (lambda c: c.update(sead=[1]), "sead"),
        (lambda c: c["sac"].update(batch_size=-5), "sac.batch_size"),
        (lambda c: c.update(seeds=[0, -1]), "seeds[1]"),
        (lambda c: c["td3"].update(checkpoints=[30000, 20000]), "td3.checkpoints"),
        (lambda c: c["ppo"].update(checkpoints=[5_000_000]), "ppo.checkpoints"),
        (lambda c: c.update(backend="warp"), "backend"),
        (lambda c: c.pop("sac"), "sac"),
        (lambda c: c.setdefault("purd", {}).update(samples=0), "purd.samples"),
        (lambda c: c.setdefault("stats", {}).update(cvar_alphas=[0.1, 1.5]), "stats.cvar_alphas[1]"),
        (lambda c: c.setdefault("figures", {}).update(figure2={"env": "ant"}), "figures.figure2.env"),
    ],
)
def test_mistakes_name_the_key(edit, key):
    with pytest.raises(ConfigError) as err:
        validate_config(broken(edit))
    assert f"'{key}'" in str(err.value)
    assert "\n" not in str(err.value)


def merged(base: dict, over: dict) -> dict:
    """`over` merged into `base` key by key, as Snakemake merges --configfile over the Snakefile's."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def test_paper_config_over_the_default_one_gives_paper_values():
    cfg = validate_config(merged(load("config.yaml"), load("configs/paper.yaml")))
    assert cfg["purd"]["samples"] == 1000 and cfg["landscape"]["hist_samples"] == 10000
    assert cfg["interpolation"]["perturbations"] == 1000 and cfg["figures"]["figure2"]["env"] == "ant"
    a1 = cfg["algorithm1"]
    assert (a1["policies"], a1["runs"], a1["proposals"], a1["samples"]) == (10, 5, 40, 1000)
    ss, bc = cfg["start_states"], cfg["behaviour_cloning"]
    assert cfg["td3"]["state_every"] == 10000 and (ss["seeds"], ss["states"], ss["samples"]) == (3, 50, 1000)
    assert (bc["seeds"], bc["teachers"], bc["steps"], bc["logs"], bc["samples"]) == (10, 5, 1_000_000, 10, 1000)
    assert cfg["figures"]["figure10"]["envs"] == ["ant", "walker2d"]


def test_seed_blocks():
    cfg = validate_config(load("config.yaml"))
    cfg["seeds"], cfg["train"]["seeds_per_job"] = [0, 1, 2, 3, 4], 2
    assert seed_blocks(cfg, "td3") == [(0, 1), (2, 3), (4,)]
    cfg["td3"]["runs"] = 3  # a learner may train the first seeds only (the paper's 5 Atari runs)
    assert seed_blocks(cfg, "td3") == [(0, 1), (2,)] and seed_blocks(cfg, "sac") == [(0, 1), (2, 3), (4,)]


def test_open_figure_and_study_choices_resolve_to_the_papers_where_trained():
    cfg = validate_config(load("config.yaml"))  # hopper only, all three algorithms
    assert cfg["figures"]["figure1"]["env"] == "hopper" and cfg["figures"]["figure4"]["env"] == "hopper"
    assert cfg["figures"]["figure3"]["envs"] == ["hopper"] and cfg["figures"]["figure10"]["envs"] == ["hopper"]
    assert cfg["landscape"]["algo"] == "sac" and cfg["failures"]["algo"] == "td3"
    four = {**load("config.yaml"), "envs": ["ant", "halfcheetah", "hopper", "walker2d"], "algos": ["ppo"]}
    cfg = validate_config(four)
    assert cfg["figures"]["figure3"]["envs"] == ["halfcheetah", "walker2d"]
    assert cfg["figures"]["figure4"]["env"] == "walker2d"
    assert cfg["landscape"]["algo"] == "ppo" and cfg["failures"]["algo"] == "ppo"
    assert cfg["algorithm1"]["algo"] is None  # no off-policy learner: no Algorithm 1 study
    assert validate_config({**four, "algos": ["ppo", "sac"]})["algorithm1"]["algo"] == "sac"


def test_the_config_check_knows_the_brax_envs_of_the_library():
    """envsets.BRAX_ENVS is spelled out so that validating a config does not import Brax."""
    from workflow_lib.envs.native import ENV_NAMES
    from workflow_lib.workflow.envsets import BRAX_ENVS

    assert BRAX_ENVS == ENV_NAMES


def test_host_stepped_envs_train_off_policy_learners_and_run_the_engine_studies():
    """PPO trains on the Brax envs of a mixed config, TD3/SAC on all; the interpolation, failures
    and Algorithm 1 studies run on every env that trains their learner, the Brax studies on the
    Brax envs; the paper's config keeps those three studies on Brax."""
    from workflow_lib.workflow.config import env_algos, study_envs

    cfg = validate_config({**load("config.yaml"), "envs": ["hopper", "dmc-quadruped-walk", "gym-Hopper-v5"]})
    assert env_algos(cfg, "hopper") == ["td3", "sac", "ppo"] and env_algos(cfg, "gym-Hopper-v5") == ["td3", "sac"]
    assert study_envs(cfg, "interpolation") == study_envs(cfg, "failures") == study_envs(cfg, "algorithm1") == cfg["envs"]
    assert study_envs(cfg) == ["hopper"] and cfg["figures"]["figure4"]["env"] == "hopper"  # Brax gaits
    assert study_envs({**cfg, "interpolation": {**cfg["interpolation"], "algo": "ppo"}}, "interpolation") == ["hopper"]
    assert cfg["figures"]["figure5"]["envs"] == ["hopper"]  # the paper's hopper and walker2d, where trained
    assert cfg["figures"]["figure2"]["env"] == "hopper"
    only_host = validate_config({**load("config.yaml"), "envs": ["dmc-quadruped-walk"], "algos": ["td3", "sac"]})
    assert only_host["figures"]["figure1"]["env"] is None and only_host["figures"]["figure2"]["env"] == "dmc-quadruped-walk"
    paper = load("config.yaml")
    paper.update(load("configs/paper.yaml"))
    paper = validate_config(paper)
    assert (study_envs(paper, "interpolation") == study_envs(paper, "failures") == study_envs(paper, "algorithm1")
            == ["ant", "halfcheetah", "hopper", "walker2d"])
    assert [e for e in paper["envs"] if e.startswith("dmc-")] == [
        "dmc-quadruped-walk", "dmc-quadruped-run", "dmc-humanoid-stand", "dmc-humanoid-walk", "dmc-humanoid-run"]


def test_atari_games_train_ppo_atari_and_have_studies_of_their_own():
    """An Atari game trains the Atari learner only, and the other learners never train on it; the
    games get Figures 19-21 (the BTP with Figure 19's own sizes, of their PPO's policies) and none
    of the other studies; the paper's config runs 5 Atari runs beside 20 Brax seeds."""
    from workflow_lib.workflow.config import (algo_seeds, atari_games, btp_sizes, env_algos, figure_envs,
                                              interpolation_algo, study_envs)

    cfg = validate_config({**load("config.yaml"), "envs": ["hopper", "atari-Qbert"], "algos": ["td3", "ppo", "ppo_atari"],
                           "atari": {"btp_pairs": 20}})
    assert env_algos(cfg, "atari-Qbert") == ["ppo_atari"] and env_algos(cfg, "hopper") == ["td3", "ppo"]
    assert all(study_envs(cfg, s) == ["hopper"] for s in ("interpolation", "failures", "algorithm1", "landscape"))
    assert atari_games(cfg) == figure_envs(cfg, "figure21") == ["atari-Qbert"] and figure_envs(cfg, "figure6") == ["hopper"]
    assert interpolation_algo(cfg, "atari-Qbert") == "ppo_atari" and interpolation_algo(cfg, "hopper") == "td3"
    # Figure 19's perturbed rollouts per point are its own (atari.interpolation_samples, the paper's 50).
    assert btp_sizes(cfg, "atari-Qbert") == {"btp_pairs": 20, "points": cfg["interpolation"]["points"], "btp_samples": 50}
    assert btp_sizes(cfg, "hopper") == {k: cfg["interpolation"][k] for k in ("btp_pairs", "points", "btp_samples")}
    paper = validate_config({**load("config.yaml"), **load("configs/paper.yaml")})
    assert algo_seeds(paper, "ppo_atari") == [0, 1, 2, 3, 4] and len(algo_seeds(paper, "td3")) == 20
    # The paper's sizes (docs/protocol.md): Figure 19's 20 pairs, 50 points and 50 rollouts a point,
    # Figure 6's 100; the authors' update and return on Atari, their 0.1 clip on Brax PPO, their DMC actions.
    assert btp_sizes(paper, "atari-Qbert") == {"btp_pairs": 20, "points": 50, "btp_samples": 50}
    assert btp_sizes(paper, "ant")["btp_samples"] == 100
    assert paper["atari"]["return"] == "clipped_horizon" and paper["atari"]["episode_length"] == 10000
    assert (paper["ppo_atari"]["purd_update"], paper["ppo_atari"]["purd_adam"], paper["ppo_atari"]["purd_max_grad_norm"]) \
        == ("iteration", "fresh", None)
    assert paper["ppo"]["purd_max_grad_norm"] == 0.1 and paper["host"]["dmc_actions"] == "clip"


@pytest.mark.parametrize("edit, key", [
    ({"figures": {"figure2": {"env": "hopper"}, "figure3": {"envs": ["ant"]}}}, "figures.figure3.envs"),
    ({"figures": {"figure2": {"env": "hopper"}, "figure4": {"env": "walker2d"}}}, "figures.figure4.env"),
    ({"landscape": {"algo": "td3"}, "algos": ["sac"]}, "landscape.algo"),
    ({"landscape": {"grid": 1}}, "landscape.grid"),
    ({"algorithm1": {"algo": "ppo"}}, "algorithm1.algo"),
    ({"algorithm1": {"policies": 7}}, "algorithm1.policies"),  # 2 seeds x 3 checkpoints
    ({"algorithm1": {"delta": 1.5}}, "algorithm1.delta"),
    ({"landscape": {"policies": {"noisy": {"seed": 0, "step": 5}}}}, "landscape.policies"),
    ({"start_states": {"seeds": 3}}, "start_states.seeds"),  # 2 seeds
    ({"start_states": {"seeds": 2, "states": 21}}, "start_states.states"),  # 50,000 / 2,500 kept
    ({"td3": {"total_steps": 50000, "checkpoints": [20000, 35000, 50000], "state_every": 0}}, "td3.state_every"),
    ({"behaviour_cloning": {"seeds": 2, "teachers": 4}}, "behaviour_cloning.teachers"),  # 3 checkpoints
    ({"behaviour_cloning": {"seeds": 2, "teachers": 3, "steps": 100, "logs": 3}}, "behaviour_cloning.logs"),
    ({"figures": {"figure2": {"env": "hopper"}, "figure10": {"envs": ["ant"]}}}, "figures.figure10.envs"),
])
def test_landscape_and_failure_mistakes_name_their_key(edit, key):
    cfg = {**load("config.yaml"), **edit}
    with pytest.raises(ConfigError, match=f"'{key}'"):
        validate_config(cfg)
