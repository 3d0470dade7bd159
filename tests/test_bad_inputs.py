"""A catalogue of bad inputs, as a hostile new user would try them: config keys and values,
cross-key constraints, config files, `--config` values, corrupt, truncated, foreign and misplaced
checkpoints and replay files, PURD and statistics tables. Each must be refused with one line that
names the key or the file; none may be accepted in silence. (Killed jobs: test_training.py's
publishing test; a corrupt checkpoint inside a workflow run: test_workflow.py.)"""

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import yaml

from workflow_lib.analysis.stats import StatsSettings, stats_table, summarize
from workflow_lib.core import checkpoint, tables
from workflow_lib.core.checkpoint import CheckpointError
from workflow_lib.core.tables import TableError
from workflow_lib.workflow.config import ConfigError, load_config_file, validate_config
from workflow_lib.workflow.inputs import load_checked_policy
from workflow_run import ROOT, copy_workflow, snakemake

BASE = yaml.safe_load((ROOT / "config.yaml").read_text())


def edited(path: str, value):
    """The default config with the dotted key `path` set to `value` (None: removed)."""
    cfg = copy.deepcopy(BASE)
    *parents, last = path.split(".")
    node = cfg
    for part in parents:
        node = node.setdefault(part, {})
    if value is None:
        node.pop(last, None)
    else:
        node[last] = value
    return cfg


# (dotted key, bad value, the key the one-line error must name)
CONFIG_VALUES = [
    ("seeds", [0, 4294967296], "seeds[1]"),  # the key holds 32 bits: it would train seed 0 twice
    ("seeds", [0, 2**64], "seeds[1]"),
    ("seeds", [0, 1000.0], "seeds[1]"),  # a float in a wildcard and a key
    ("seeds", [0, True], "seeds[1]"),
    ("seeds", [0, 0], "seeds"),
    ("seeds", [-1], "seeds[0]"),
    ("seeds", [], "seeds"),
    ("seeds", "0, 1", "seeds"),
    ("envs", [], "envs"),
    ("envs", ["hoper"], "envs[0]"),
    ("envs", ["hopper", "hopper"], "envs"),
    ("envs", ["hopper", "dmc-quadruped-sprint"], "envs[1]"),  # no such DM Control task
    ("envs", ["gym-Hopper-v9"], "envs[0]"),  # not a registered Gymnasium id
    ("gym_modules", ["no_such_module"], "gym_modules[0]"),  # its own ModuleNotFoundError, in one line
    ("gym_modules", ["examples/cliff_runner.py"], "gym_modules[0]"),  # a path, not a module name
    ("envs", ["quadruped-walk"], "envs[0]"),  # without its family
    ("algos", ["ddpg"], "algos[0]"),
    ("algos", [], "algos"),
    ("backend", "warp", "backend"),
    ("episode_length", 0, "episode_length"),
    ("episode_length", 100.5, "episode_length"),
    ("td3.total_steps", 50000.0, "td3.total_steps"),
    ("td3.learning_rate", float("nan"), "td3.learning_rate"),
    ("td3.learning_rate", float("inf"), "td3.learning_rate"),
    ("td3.learning_rate", "3e-4", "td3.learning_rate"),  # YAML 1.1 reads 3e-4 as a string
    ("td3.batch_size", True, "td3.batch_size"),
    ("td3.checkpoints", [35000, 20000], "td3.checkpoints"),
    ("td3.checkpoints", [20000, 20000], "td3.checkpoints"),
    ("td3.checkpoints", [60000], "td3.checkpoints"),
    ("td3.warmup_steps", 60000, "td3.warmup_steps"),
    ("ppo.checkpoints", [1000000, 1010000, 3000000], "ppo.checkpoints"),  # one PPO iteration is 32,768 steps
    ("td3.checkpoints", [20001, 20002, 50000], "td3.checkpoints"),  # one TD3 delay cycle is 2 steps
    ("sac.gamma", 1.5, "sac.gamma"),
    ("ppo.num_minibatches", 7, "ppo.num_minibatches"),
    ("purd.samples", 2, "purd.samples"),  # skewness needs 3 returns
    ("purd.samples", 0, "purd.samples"),
    ("purd.batch_size", 0, "purd.batch_size"),
    ("landscape.hist_samples", 2, "landscape.hist_samples"),
    ("start_states.samples", 1, "start_states.samples"),
    ("behaviour_cloning.samples", 2, "behaviour_cloning.samples"),
    ("algorithm1.samples", 2, "algorithm1.samples"),
    ("stats.cvar_alphas", [0.0], "stats.cvar_alphas[0]"),
    ("stats.confidence", 1.5, "stats.confidence"),
    ("stats.resamples", 0, "stats.resamples"),
    ("sead", [1], "sead"),
    ("td3.learning_rat", 0.001, "td3.learning_rat"),
    ("sac", None, "sac"),
    # The post-update settings (docs/protocol.md, "One update", "Atari"): each on its own learner only.
    ("ppo.purd_update", "iteration", "ppo.purd_update"),  # an Atari learner's key on Brax PPO
    ("td3.purd_max_grad_norm", 0.1, "td3.purd_max_grad_norm"),
    ("ppo.purd_max_grad_norm", 0, "ppo.purd_max_grad_norm"),
    ("ppo_atari.purd_update", "epoch", "ppo_atari.purd_update"),
    ("ppo_atari.purd_adam", "warm", "ppo_atari.purd_adam"),
    ("ppo_atari.purd_max_grad_norm", -1.0, "ppo_atari.purd_max_grad_norm"),
    ("atari.return", "score", "atari.return"),
    ("atari.return", "clipped_horizon", "atari.return"),  # the default config names no Atari game
    ("atari.interpolation_samples", 0, "atari.interpolation_samples"),
]

# Keys that are each valid alone and wrong together: what a job would find only hours later.
CROSS_KEYS = [
    ({"landscape": {"policies": {"noisy": {"seed": 5, "step": 20000}, "smooth": {"seed": 0, "step": 20000}}}},
     "landscape.policies.noisy.seed"),
    ({"landscape": {"policies": {"noisy": {"seed": 0, "step": 20000}, "smooth": {"seed": 1, "step": 12345}}}},
     "landscape.policies.smooth.step"),
    ({"figures": {"figure2": {"env": "ant"}}}, "figures.figure2.env"),
    ({"figures": {"figure3": {"envs": ["walker2d"]}}}, "figures.figure3.envs"),
    ({"landscape": {"algo": "td3"}, "algos": ["sac"]}, "landscape.algo"),
    ({"algorithm1": {"algo": "ppo"}}, "algorithm1.algo"),
    ({"algorithm1": {"policies": 7}}, "algorithm1.policies"),
    ({"algorithm1": {"envs": ["dmc-quadruped-walk"]}}, "algorithm1.envs"),  # not one of envs
    ({"start_states": {"seeds": 3}}, "start_states.seeds"),
    ({"behaviour_cloning": {"teachers": 4}}, "behaviour_cloning.teachers"),
    ({"envs": ["dmc-quadruped-walk"], "algos": ["ppo"]}, "algos"),  # host-stepped envs train TD3 and SAC
    ({"envs": ["atari-Breakout"], "algos": ["td3"]}, "algos"),  # and they are its only envs
    ({"envs": ["atari-Brakeout"], "algos": ["ppo_atari"]}, "envs[0]"),  # no such game
    ({"envs": ["hopper", "atari-Qbert"], "algos": ["ppo_atari"]}, "algos"),  # hopper would train nothing
    ({"envs": ["atari-Breakout"], "algos": ["ppo_atari"], "figures": {"figure2": {"env": "atari-Breakout"}},
      "ppo_atari": {"total_steps": 1024, "checkpoints": [1024], "runs": 3}}, "ppo_atari.runs"),  # 2 seeds
    ({"envs": ["atari-Breakout"], "algos": ["ppo_atari"], "figures": {"figure2": {"env": "atari-Breakout"}},
      "ppo_atari": {"total_steps": 1024, "checkpoints": [1024], "num_minibatches": 3}}, "ppo_atari.num_minibatches"),
    ({"envs": ["hopper", "gym-Hopper-v5"], "figures": {"figure4": {"env": "gym-Hopper-v5"}}}, "figures.figure4.env"),
    ({"envs": ["hopper", "gym-Hopper-v5"], "figures": {"figure2": {"env": "gym-Hoper-v5"}}}, "figures.figure2.env"),
]


def assert_one_line_naming(err: Exception, name: str) -> None:
    message = str(err)
    assert name in message, message
    assert "\n" not in message and "Traceback" not in message, message


@pytest.mark.parametrize("key, value, named", CONFIG_VALUES, ids=[f"{k}={v!r}" for k, v, _ in CONFIG_VALUES])
def test_a_bad_config_value_is_one_line_naming_its_key(key, value, named):
    with pytest.raises(ConfigError) as err:
        validate_config(edited(key, value))
    assert_one_line_naming(err.value, f"'{named}'")


@pytest.mark.parametrize("edit, named", CROSS_KEYS, ids=[named for _, named in CROSS_KEYS])
def test_keys_wrong_together_are_refused_before_any_job(edit, named):
    cfg = copy.deepcopy(BASE)
    for section, value in edit.items():
        cfg[section] = {**cfg.get(section, {}), **value} if isinstance(value, dict) else value
    with pytest.raises(ConfigError) as err:
        validate_config(cfg)
    assert_one_line_naming(err.value, f"'{named}'")


@pytest.mark.parametrize("config", [{}, None, [], "seeds: [0]"], ids=["empty", "none", "list", "text"])
def test_a_config_that_is_not_a_mapping_is_refused(config):
    with pytest.raises(ConfigError) as err:
        validate_config(config)
    assert_one_line_naming(err.value, "config")


CONFIG_FILES = {  # name: (text, what the error names)
    "syntax": ("seeds: [0, 1\nalgos: [td3]\n", "syntax.yaml:2"),
    "tabs": ("purd:\n\tsamples: 4\n", "tabs.yaml:2"),
    "empty": ("", "empty.yaml: the config file is empty"),
    "comments_only": ("# nothing here\n", "comments_only.yaml: the config file is empty"),
    "list": ("- seeds\n- algos\n", "list.yaml: the config file is a list"),
    "scalar": ("hopper\n", "scalar.yaml: the config file is a str"),
    "duplicate": ("seeds: [0]\nalgos: [td3]\nseeds: [1]\n", "duplicate.yaml:3: key 'seeds' given twice (first on line 1)"),
    "nested_duplicate": ("purd:\n  samples: 4\n  samples: 8\n", "nested_duplicate.yaml:3: key 'samples' given twice"),
}


@pytest.mark.parametrize("name", sorted(CONFIG_FILES))
def test_a_bad_config_file_is_named_with_its_line(tmp_path, name):
    text, named = CONFIG_FILES[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config_file(path)
    assert_one_line_naming(err.value, named)


def test_a_missing_config_file_is_named(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_config_file(tmp_path / "nope.yaml")
    assert_one_line_naming(err.value, "nope.yaml: cannot read the config file")


@pytest.fixture(scope="module")
def workflow(tmp_path_factory):
    return copy_workflow(tmp_path_factory.mktemp("bad_inputs_workflow"))


# What a user types: Snakemake's CLI with --config or --configfile, a dry run. The error reaches
# the console as one line naming the key or the file, and no job is planned.
CLI_CASES = [
    (["--config", "envs=[hoper]"], "config key 'envs[0]'"),
    (["--config", "seeds=[0,4294967296]"], "config key 'seeds[1]'"),
    (["--config", "purd={samples: 2}"], "config key 'purd.samples'"),
    (["--config", "td3={total_steps: 5.0e4}"], "config key 'td3.total_steps'"),
    (["--configfile", "dup.yaml"], "dup.yaml:2: key 'seeds' given twice"),
]


@pytest.mark.parametrize("args, named", CLI_CASES, ids=[" ".join(a) for a, _ in CLI_CASES])
def test_a_bad_command_line_is_one_line_before_any_job(workflow, args, named):
    (workflow / "dup.yaml").write_text("seeds: [0]\nseeds: [0, 1]\n")
    result = snakemake(workflow, "all", "-n", *args, timeout=120)
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if named in line]
    assert len(errors) == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert "Job stats" not in result.stdout + result.stderr


# Config files Snakemake itself reads before the Snakefile runs: with the project's environment
# (do.py installs workflow_lib/workflow/snakemake_hook.py), one line naming the file and line.
HOOKED_FILES = {"syntax": "syntax.yaml:2: not valid YAML", "empty": "empty.yaml: the config file is empty",
                "list": "list.yaml: the config file is a list", "missing": "missing.yaml: cannot read the config file"}


@pytest.mark.parametrize("name", sorted(HOOKED_FILES))
def test_a_config_file_snakemake_cannot_read_is_one_line_with_file_and_line(workflow, name):
    import sysconfig

    from workflow_lib.workflow.snakemake_hook import PTH_NAME

    if not (Path(sysconfig.get_paths()["purelib"]) / PTH_NAME).exists():
        pytest.skip("this environment was not set up by do.py (no config-file hook)")
    if name != "missing":
        (workflow / f"{name}.yaml").write_text(CONFIG_FILES[name][0])
    result = snakemake(workflow, "all", "-n", "--configfile", f"{name}.yaml", timeout=120)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("Using workflow")]
    assert len(lines) == 1 and lines[0].startswith(f"Invalid config: {HOOKED_FILES[name]}"), lines
    assert "Traceback" not in result.stderr


# A target the config cannot build: refused while planning, one line naming the config key.
TARGET_CASES = [
    ("figure11", "algos: [td3]\n", "figure11 shows halfcheetah, which is not in the config key 'envs'"),
    ("figure7", "algos: [ppo]\n", "figure7 needs Algorithm 1, which needs td3 or sac in the config key 'algos'"),
    ("figure10", "algos: [sac]\n", "figure10 studies TD3 runs, but td3 is not in the config key 'algos'"),
    ("figure14", "algos: [td3, sac]\n", "figure14 shows dmc-quadruped-walk, which is not in the config key 'envs'"),
    ("figure1", "envs: [gym-Hopper-v5]\nalgos: [td3]\n", "figure1's study runs on Brax envs, and the config key 'envs'"),
    ("figure4", "envs: [gym-Hopper-v5]\nalgos: [td3]\n", "figure4's study runs on Brax envs, and the config key 'envs'"),
    ("results/tables/purd_stats_dmc-quadruped-walk_ppo.parquet", "envs: [hopper, dmc-quadruped-walk]\n",
     "ppo does not train on dmc-quadruped-walk"),  # else a table of no policy, in silence
]


@pytest.mark.parametrize("target, edit, named", TARGET_CASES, ids=[t.split("/")[-1] for t, _, _ in TARGET_CASES])
def test_a_target_the_config_cannot_build_is_one_line(workflow, target, edit, named):
    (workflow / "target.yaml").write_text(edit)
    result = snakemake(workflow, target, "-n", "--configfile", "target.yaml", timeout=120)
    assert result.returncode != 0
    assert sum(named in line for line in result.stderr.splitlines()) == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and "Job stats" not in result.stdout + result.stderr


# A user's own Gymnasium env (README, "Add your own environment") that lacks what the studies need:
# refused while planning, one line naming the key, the env or module, and what is missing.
USER_ENVS = """import gymnasium, numpy as np
class Unseeded(gymnasium.Env):
    observation_space = gymnasium.spaces.Box(-1, 1, (2,), np.float32)
    action_space = gymnasium.spaces.Box(-1, 1, (1,), np.float32)
    def reset(self, *, seed=None, options=None):
        return np.random.uniform(-1, 1, 2).astype(np.float32), {}
class Pixels(Unseeded):
    observation_space = gymnasium.spaces.Box(0, 255, (3, 8, 8), np.uint8)
class Buttons(Unseeded):
    action_space = gymnasium.spaces.Discrete(4)
gymnasium.register(id="Unseeded-v0", entry_point=Unseeded)
gymnasium.register(id="Buttons-v0", entry_point=Buttons)
gymnasium.register(id="Pixels-v0", entry_point="user_envs:Pixels")
"""
OWN_ENV_CASES = [
    ("gym_modules: [broken_envs]\nenvs: [gym-CliffRunner-v0]\n",
     "config key 'gym_modules[0]': importing broken_envs failed: RuntimeError: no licence file found"),
    ("gym_modules: [user_envs]\nenvs: [gym-NotRegistered-v0]\n",
     "config key 'envs[0]': gym-NotRegistered-v0: not a registered Gymnasium id"),
    ("gym_modules: [user_envs]\nenvs: [gym-Unseeded-v0]\n",
     "config key 'envs[0]': gym-Unseeded-v0: reset(seed=12345) twice gave different observations"),
    ("gym_modules: [user_envs]\nenvs: [gym-Pixels-v0]\n",
     "config key 'envs[0]': gym-Pixels-v0: its observation space Box(0, 255, (3, 8, 8), uint8) is not a flat (1-D) Box"),
    ("gym_modules: [user_envs]\nenvs: [gym-Buttons-v0]\n",
     "config key 'envs[0]': gym-Buttons-v0: its actions are discrete and its observation space Box(-1.0, 1.0, (2,), "
     "float32) does not fit the CNN of the discrete learner (ppo_atari)"),
    ("gym_modules: [examples.pixel_catch]\nenvs: [gym-PixelCatch-v0]\n",  # the config's algos: [td3]
     "config key 'algos': ['td3'] has no learner for the env gym-PixelCatch-v0: Atari games and discrete Gymnasium "
     "envs train ppo_atari"),
]


@pytest.mark.parametrize("edit, named", OWN_ENV_CASES, ids=["import fails", "unregistered", "unseeded", "pixels",
                                                     "discrete without frames", "frames without ppo_atari"])
def test_an_own_env_that_lacks_a_requirement_is_one_line(workflow, edit, named):
    (workflow / "user_envs.py").write_text(USER_ENVS)
    (workflow / "broken_envs.py").write_text("raise RuntimeError('no licence file found')\n")
    (workflow / "own.yaml").write_text(edit + "algos: [td3]\n")
    result = snakemake(workflow, "all", "-n", "--configfile", "own.yaml", timeout=120)
    assert result.returncode != 0
    assert sum(named in line for line in result.stderr.splitlines()) == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and "Job stats" not in result.stdout + result.stderr


def test_every_documented_subset_of_algos_and_envs_plans(workflow):
    for subset in ("algos: [ppo]", "algos: [td3]", "algos: [sac]", "algos: [sac, ppo]", "envs: [walker2d]",
                   "envs: [dmc-humanoid-run]", "envs: [hopper, gym-Hopper-v5]"):
        (workflow / "subset.yaml").write_text(subset + "\n")
        result = snakemake(workflow, "all", "-n", "--configfile", "subset.yaml", timeout=120)
        assert result.returncode == 0, (subset, result.stderr[-2000:])
        assert "Job stats" in result.stdout + result.stderr, subset


# Files: a tiny TD3 run of the probe task, its files then damaged one way each.
@pytest.fixture(scope="module")
def run_files(tmp_path_factory):
    """results/checkpoints/probe/td3/seed{0,1}/... of a tiny TD3 run, in a results/ layout."""
    out = tmp_path_factory.mktemp("bad_inputs_run")
    job = {"env": "probe", "backend": "none", "algo": "td3", "seeds": [0, 1], "total_steps": 400,
           "checkpoints": [200, 400], "warmup_steps": 100, "log_every": 100, "episode_length": 1, "state_every": 0,
           "hyperparameters": {"hidden": [8], "batch_size": 16}}
    (out / "job.json").write_text(json.dumps(job))
    subprocess.run([sys.executable, "-m", "workflow_lib.training.cli", str(out / "job.json"), str(out / "run")],
                   check=True, capture_output=True, timeout=600)
    results = out / "results" / "checkpoints" / "probe" / "td3"
    for seed in (0, 1):
        shutil.copytree(out / "run" / f"seed{seed}", results / f"seed{seed}")
    return results


def damaged(run_files: Path, tmp_path: Path, name: str) -> tuple[Path, Path]:
    """(checkpoint, replay) of seed 0 step 200, copied to a fresh results/ layout, one damaged."""
    results = tmp_path / "results" / "checkpoints" / "probe" / "td3"
    shutil.copytree(run_files, results)
    ckpt, replay = results / "seed0" / "step200.msgpack", results / "seed0" / "replay.msgpack"
    meta, state = checkpoint.read_header(ckpt, "agent")
    if name == "truncated":
        ckpt.write_bytes(ckpt.read_bytes()[:100])
    elif name == "empty":
        ckpt.write_bytes(b"")
    elif name == "foreign":
        ckpt.write_text("not a checkpoint at all\n")
    elif name == "replay_as_checkpoint":
        shutil.copy(replay, ckpt)
    elif name in ("meta_not_json", "meta_lacks_step", "meta_unknown_algo", "meta_other_step", "meta_other_seed"):
        from flax import serialization

        payload = serialization.msgpack_restore(ckpt.read_bytes())
        fields = {"meta_lacks_step": {k: v for k, v in meta.items() if k != "step"},
                  "meta_unknown_algo": {**meta, "algo": "ddpg"}, "meta_other_step": {**meta, "step": 400},
                  "meta_other_seed": {**meta, "seed": 1}}
        payload["meta"] = "{not json" if name == "meta_not_json" else json.dumps(fields[name])
        ckpt.write_bytes(serialization.msgpack_serialize(payload))
    elif name == "replay_of_another_seed":
        shutil.copy(results / "seed1" / "replay.msgpack", replay)
    elif name == "copied_into_another_place":
        shutil.copy(results / "seed0" / "step400.msgpack", ckpt)
    elif name == "replay_truncated":
        replay.write_bytes(replay.read_bytes()[:-50])
    return ckpt, replay


CHECKPOINT_CASES = {  # how the file is damaged: which file the one-line error names, and what it says
    "truncated": ("step200.msgpack", "truncated or corrupt"),
    "empty": ("step200.msgpack", "truncated or corrupt"),
    "foreign": ("step200.msgpack", "not a"),
    "replay_as_checkpoint": ("step200.msgpack", "holds a 'replay' checkpoint"),
    "meta_not_json": ("step200.msgpack", "metadata is not JSON"),
    "meta_lacks_step": ("step200.msgpack", "lacks step"),
    "meta_unknown_algo": ("step200.msgpack", "does not describe a run"),
    "meta_other_step": ("step200.msgpack", "whose place is"),
    "meta_other_seed": ("replay.msgpack", "another run"),  # seed 1's checkpoint beside seed 0's replay
    "replay_of_another_seed": ("replay.msgpack", "another run"),
    "copied_into_another_place": ("step200.msgpack", "whose place is"),
    "replay_truncated": ("replay.msgpack", "truncated or corrupt"),
}


@pytest.mark.parametrize("name", sorted(CHECKPOINT_CASES))
def test_a_damaged_or_misplaced_checkpoint_is_named(run_files, tmp_path, name):
    ckpt, replay = damaged(run_files, tmp_path, name)
    with pytest.raises(CheckpointError) as err:
        load_checked_policy(str(ckpt), str(replay))
    file, what = CHECKPOINT_CASES[name]
    assert_one_line_naming(err.value, what)
    assert str(err.value).startswith(str(ckpt.parent / file)), str(err.value)


def test_the_undamaged_files_load(run_files, tmp_path):
    ckpt, replay = damaged(run_files, tmp_path, "none")
    policy = load_checked_policy(str(ckpt), str(replay))
    assert (policy.env, policy.algo, policy.seed, policy.step) == ("probe", "td3", 0, 200)


PURD_FILES = {  # name: (how the PURD file is written, what the one-line error says)
    "text": (lambda p: p.write_text("return\n1.0\n"), "not a readable Parquet table"),
    "truncated": (lambda p: (pl.DataFrame({"return": [1.0] * 50}).write_parquet(p),
                             p.write_bytes(p.read_bytes()[:40])), "not a readable Parquet table"),
    "no_return_column": (lambda p: pl.DataFrame({"sample": [0, 1, 2]}).write_parquet(p), "lacks column(s) return"),
    "nan": (lambda p: pl.DataFrame({"return": [1.0, float("nan"), 3.0, 4.0]}).write_parquet(p),
            "1 of 4 returns are not finite (sample 1: nan)"),
    "inf": (lambda p: pl.DataFrame({"return": [1.0, 2.0, float("inf")]}).write_parquet(p), "returns are not finite"),
    "missing": (lambda p: None, "no such table"),
}


@pytest.mark.parametrize("name", sorted(PURD_FILES))
def test_a_bad_purd_file_is_named(tmp_path, name):
    write, what = PURD_FILES[name]
    path = tmp_path / "step200.parquet"
    write(path)
    with pytest.raises(TableError) as err:
        tables.read_returns(str(path))
    assert_one_line_naming(err.value, what)
    assert str(err.value).startswith(str(path))


def test_a_purd_file_in_another_policys_place_is_named(tmp_path):
    path = tmp_path / "step200.parquet"
    tables.write_parquet(pl.DataFrame({"return": [1.0, 2.0, 3.0]}), path,
                         {"env": "hopper", "algo": "td3", "seed": 1, "step": 200})  # seed 1's PURD
    with pytest.raises(TableError) as err:
        tables.read_returns(str(path), {"env": "hopper", "algo": "td3", "seed": 0, "step": 200})
    assert_one_line_naming(err.value, f"{path}: holds another policy than its place says (seed 1, not 0)")
    assert list(tables.read_returns(str(path), {"env": "hopper", "algo": "td3", "seed": 1, "step": 200})) == [1, 2, 3]


@pytest.mark.parametrize("returns, what", [
    ([], "0 returns"), ([1.0, 2.0], "2 returns"), ([1.0, np.nan, 2.0, 3.0], "not finite"),
    ([1.0, 2.0, -np.inf], "not finite"),
], ids=["none", "two", "nan", "minus_inf"])
def test_statistics_refuse_returns_they_cannot_describe(returns, what):
    with pytest.raises(ValueError, match=what):
        summarize(np.asarray(returns, dtype=np.float64), StatsSettings(resamples=10))
    policy = {"env": "hopper", "algo": "td3", "seed": 0, "step": 200}
    with pytest.raises(ValueError) as err:  # a table names the policy
        stats_table([policy], [np.asarray(returns, dtype=np.float64)], StatsSettings(resamples=10))
    assert_one_line_naming(err.value, "hopper td3 0 200")


def test_a_statistics_table_without_a_column_a_figure_reads_is_named(tmp_path):
    path = tmp_path / "purd_stats_hopper_td3.parquet"
    pl.DataFrame({"seed": [0], "step": [200]}).write_parquet(path)
    with pytest.raises(TableError) as err:
        tables.read_table(path, ["mean", "std"])
    assert_one_line_naming(err.value, f"{path}: lacks column(s) mean, std")


@pytest.mark.parametrize("raised, one_line", [
    ("CheckpointError('results/checkpoints/x.msgpack: its metadata lacks step')", True),
    ("TableError('results/purd/x.parquet: lacks column(s) return (it has sample)')", True),
    ("RuntimeError('a bug')", False),
])
def test_a_job_ends_on_bad_input_with_its_one_line(tmp_path, raised, one_line):
    """A job script's uncaught BadInput reaches the console and the log as one line; anything
    else (a bug) keeps its traceback."""
    script = ("import logging, sys\n"
              "from workflow_lib.core.checkpoint import CheckpointError\n"
              "from workflow_lib.core.tables import TableError\n"
              "from workflow_lib.workflow.runtime import job_logger, one_line_errors\n"
              f"one_line_errors(job_logger('job', {str(tmp_path / 'job.log')!r}))\n"
              f"raise {raised}\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    if one_line:
        message = raised.split("'")[1]
        assert lines == [f"error: {message}"], result.stderr
        assert f"error: {message}" in (tmp_path / "job.log").read_text()
    else:
        assert "Traceback" in result.stderr and "RuntimeError: a bug" in result.stderr
