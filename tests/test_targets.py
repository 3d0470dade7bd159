"""Which targets a config builds and what its rules are given (workflow_lib.workflow.targets,
rule_params, rule_inputs): the logic the .smk files only declare, on the shipped configs."""

from types import SimpleNamespace

import pytest
from test_config import ROOT, load, merged

from workflow_lib.workflow import layout, rule_params, targets
from workflow_lib.workflow.config import validate_config
from workflow_lib.workflow.rule_inputs import RuleInputs


def config_of(name: str | None = None, **over) -> dict:
    """The default config, `name` merged over it as Snakemake merges --configfile, then `over`."""
    config = load("config.yaml")
    if name:
        config = merged(config, load(name))
    return validate_config(merged(config, over))


def test_the_default_config_builds_every_brax_figure_and_no_atari_one():
    built = targets.built_figures(config_of())
    assert set(built) == set(targets.FIGURE_TARGETS) - {"figure19", "figure20", "figure21"}


def test_the_atari_config_builds_the_atari_figures_only():
    assert targets.built_figures(config_of("configs/atari.yaml")) == ["figure19", "figure20", "figure21"]


def test_without_td3_or_an_off_policy_learner_their_figures_are_not_built():
    no_td3 = targets.built_figures(config_of(algos=["sac", "ppo"]))
    assert not set(targets.TD3_FIGURES) & set(no_td3) and "figure7" in no_td3
    ppo_only = targets.built_figures(config_of(algos=["ppo"]))
    assert not set(targets.ALGORITHM1_FIGURES) & set(ppo_only)


@pytest.mark.parametrize("figure, config, words", [
    ("figure19", None, "names none (atari-<Game>"),
    ("figure7", "configs/atari.yaml", "runs on Brax envs"),
])
def test_an_unbuildable_figure_is_refused_in_one_line(figure, config, words):
    with pytest.raises(targets.InvalidTarget) as err:
        targets.figure_files(config_of(config), figure)
    message = str(err.value)
    assert message.startswith(f"Invalid target: {figure}") and words in message and "\n" not in message
    assert isinstance(err.value, SystemExit)  # Snakemake prints it as one line


def test_algorithm1_and_td3_figures_name_the_missing_learner():
    with pytest.raises(targets.InvalidTarget, match="needs td3 or sac in the config key 'algos'"):
        targets.figure_files(config_of(algos=["ppo"]), "figure24")
    with pytest.raises(targets.InvalidTarget, match="td3 is not in the config key 'algos'"):
        targets.figure_files(config_of(algos=["sac"]), "figure10")


def test_figure_files():
    config = config_of()
    env = config["figures"]["figure4"]["env"]
    assert targets.figure_files(config, "figure4") == [
        f"results/figures/figure4_{env}.png",
        f"results/figures/figure4_{env}_success.html",
        f"results/figures/figure4_{env}_failure.html",
    ]
    assert targets.figure_files(config, "table2") == ["results/tables/table2.parquet", "results/figures/table2.html"]
    assert targets.figure_files(config, "figure22")[:2] == list(targets.BC_TABLES.values())
    assert targets.figure_files(config, "figure27") == [f"results/figures/figure27_{config['figures']['figure1']['env']}.png"]


def test_all_is_the_learning_curves_the_maps_and_the_built_figures():
    config = config_of()
    wanted = targets.all_targets(config)
    assert wanted[0] == layout.figure("learning_curves")
    assert wanted[1 : 1 + len(config["envs"])] == [layout.purd_map(env) for env in config["envs"]]
    assert layout.figure("figure7") in wanted and layout.figure("figure19") not in wanted


def test_map_figures_show_their_env_or_are_refused():
    config = config_of()
    assert targets.map_figure_env(config, "figure2") == config["figures"]["figure2"]["env"]
    with pytest.raises(targets.InvalidTarget, match="figure14 shows dmc-quadruped-walk, which is not in"):
        targets.map_figure_env(config, "figure14")


def test_purd_settings_follow_the_kind_of_update():
    config = config_of()
    td3, ppo, gauss = (rule_params.purd_settings(config, k) for k in ("td3", "ppo", "gaussian"))
    assert td3["update_batch"] == 0 and ppo["update_batch"] == config["purd"]["ppo_update_batch"]
    assert gauss["sigma"] == config["purd"]["sigma"] and td3["sigma"] == 0.0
    assert ppo["update_options"] == {"purd_max_grad_norm": config["ppo"]["purd_max_grad_norm"]}
    study = rule_params.purd_settings(config, "td3", config["start_states"])
    assert study["n"] == config["start_states"]["samples"] and study["with_rewards"] is False


def test_interpolation_paths_see_sigma_only_where_perturbed():
    config = config_of()
    assert rule_params.interpolation_path_settings(config, "paths")["sigma"] == 0.0
    assert rule_params.interpolation_path_settings(config, "perturbed")["sigma"] == config["interpolation"]["sigma"]
    assert rule_params.interpolation_path_samples(config, "paths") == 0


def test_atari_titles_say_the_runs_update_and_return():
    config = config_of("configs/atari.yaml")
    assert rule_params.atari_scale(config).startswith("2 runs x 40,960 steps, 3 policies per run, N = 12")
    assert "3 random pairs of each kind per game, 8 points a path" in rule_params.atari_btp_title(config)
    assert rule_params.atari_scale(config_of()) == ""


def test_rule_inputs_of_wildcards():
    config = config_of()
    jobs = RuleInputs(config)
    wildcards = SimpleNamespace(env="hopper", algo="td3", seed="0", step=str(config["td3"]["checkpoints"][0]))
    inputs = jobs.gaussian_purd_inputs(wildcards)
    assert inputs["checkpoints"] == [layout.checkpoint_path("hopper", "td3", "0", wildcards.step)]
    assert inputs["replay"] == layout.replay_path("hopper", "td3", "0")
    assert jobs.own_purds(wildcards) == layout.own_purds(config, "hopper", "td3")
    assert jobs.failure_figure_envs(SimpleNamespace(name="figure3")) == config["figures"]["figure3"]["envs"]
    assert jobs.interpolation_figure_value(SimpleNamespace(name="figure8")) == "mean"
    assert jobs.algorithm1_figure_resamples(SimpleNamespace(name="figure24")) is None
    assert jobs.run_purd_runtime("td3")(wildcards) > 0


def test_a_stats_table_of_a_learner_that_does_not_train_on_the_env_is_refused():
    jobs = RuleInputs(config_of("configs/dmc.yaml"))
    env = jobs.config["envs"][0]
    with pytest.raises(targets.InvalidTarget, match=f"ppo does not train on {env}"):
        jobs.own_purds(SimpleNamespace(env=env, algo="ppo"))


def test_rules_files_are_declarations():
    """No .smk file over 200 lines, no lambda and no comprehension: the logic is the library's."""
    for path in [ROOT / "Snakefile", *sorted((ROOT / "rules").glob("*.smk"))]:
        text = path.read_text()
        assert len(text.splitlines()) <= 200, path.name
        assert "lambda" not in text, path.name
        code = "\n".join(line.split("#")[0] for line in text.splitlines())
        assert " for " not in code.replace("for _", ""), f"{path.name}: a comprehension"
