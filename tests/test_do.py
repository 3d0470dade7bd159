"""do.py, the two-command entry point: which optional dependencies a command installs."""

import importlib.util

from workflow_run import ROOT

spec = importlib.util.spec_from_file_location("do", ROOT / "do.py")
do = importlib.util.module_from_spec(spec)
spec.loader.exec_module(do)


def test_tests_install_the_simulators_and_the_default_run_does_not():
    assert do.wanted_extras("test", []) == {"test", "host", "atari"}
    assert do.wanted_extras("run", []) == {"test"}  # config.yaml trains Brax only
    assert do.wanted_extras("run", ["learning_curves"]) == {"test"}


def test_a_run_naming_a_host_stepped_env_installs_the_simulators(tmp_path):
    assert do.wanted_extras("run", ["figure14", "--configfile", str(ROOT / "configs" / "dmc.yaml")]) == {"test", "host"}
    assert "host" in do.wanted_extras("run", ["all", "--config", 'envs=["gym-Hopper-v5"]'])
    brax = tmp_path / "brax.yaml"
    brax.write_text("envs: [walker2d]\n")
    assert do.wanted_extras("run", ["all", "--configfile", str(brax)]) == {"test"}


def test_a_run_naming_an_atari_game_installs_the_ale():
    assert do.wanted_extras("run", ["figure21", "--configfile", str(ROOT / "configs" / "atari.yaml")]) == {"test",
                                                                                                          "atari"}
    assert "atari" not in do.wanted_extras("run", ["figure14", "--configfile", str(ROOT / "configs" / "dmc.yaml")])
