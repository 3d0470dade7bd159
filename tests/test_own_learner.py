"""README "Add your own learner": the worked example (examples/ddpg.py) registered, trained by the
pipeline's own training job, its checkpoints loaded, its PURD sampled and summarised."""

import copy
import shutil
import sys
from pathlib import Path

import jax
import numpy as np
import polars as pl
import pytest
import yaml

from workflow_lib.agents import registry
from workflow_lib.analysis.stats import StatsSettings, summarize
from workflow_lib.studies import purd
from workflow_lib.training.job import TrainJob
from workflow_lib.training.trainer import Trainer
from workflow_lib.workflow.config import ConfigError, load_schema, validate_config

ROOT = Path(__file__).resolve().parent.parent
HIDDEN = [32, 32]


@pytest.fixture(scope="module")
def ddpg():
    sys.path.insert(0, str(ROOT / "examples"))
    if "ddpg" not in registry.ALGORITHMS:
        registry.register("ddpg", "ddpg", "DDPGConfig", off_policy=True)  # README step 2, at run time
    yield registry.ALGORITHMS["ddpg"]


@pytest.fixture(scope="module")
def trained(ddpg, tmp_path_factory):
    """The probe task (known optimum: return 0) trained by the pipeline's Trainer, published."""
    out = tmp_path_factory.mktemp("ddpg")
    job = TrainJob(env="probe", backend="none", algo="ddpg", seeds=(0,), total_steps=1500, checkpoints=(500, 1500),
                   hyperparameters={"hidden": HIDDEN, "batch_size": 64, "learning_rate": 1e-3}, warmup_steps=200,
                   log_every=500, episode_length=1)
    trainer = Trainer(job, out / "_work", __import__("logging").getLogger("ddpg-test"))
    carry, rows = trainer.run(snapshot_every_s=1e9)
    paths = {(0, t): out / f"step{t}.msgpack" for t in job.checkpoints}
    trainer.publish(carry, rows, paths, {0: out / "replay.msgpack"}, {0: out / "eval.parquet"})
    return out, rows


def test_the_example_learner_trains_with_the_pipelines_training_job(ddpg, trained):
    """The probe's optimal action is obs / 2: the trained policy is close to it on fresh observations."""
    out, rows = trained
    assert sorted({r["step"] for r in rows}) == [200, 500, 1000, 1500]  # warm-up end, logs, checkpoints
    obs = jax.random.uniform(jax.random.key(9), (256, 2), minval=-1.0, maxval=1.0)
    error = {}
    for step in (500, 1500):
        agent = purd.load_policy(out / f"step{step}.msgpack", out / "replay.msgpack").agent
        error[step] = float(np.mean(np.square(ddpg.module.policy(agent, obs) - 0.5 * obs)))
    fresh = ddpg.module.init(jax.random.key(0), 2, 2, ddpg.make_config({"hidden": HIDDEN}))
    untrained = float(np.mean(np.square(ddpg.module.policy(fresh, obs) - 0.5 * obs)))
    assert max(error.values()) < 0.01 < untrained, (error, untrained)


def test_the_example_learner_gets_its_post_update_return_distribution(trained):
    out, _ = trained
    policy = purd.load_policy(out / "step1500.msgpack", out / "replay.msgpack")
    assert policy.algo == "ddpg" and policy.buffer is not None and int(policy.buffer.size) == 1500
    samples = purd.sample(policy, "ddpg", purd.Settings(n=16, batch_size=8, episode_length=1))
    assert samples["return"].shape == (16,) and np.isfinite(samples["return"]).all()
    assert len(np.unique(samples["return"])) > 1  # each sample is its own update
    again = purd.sample(policy, "ddpg", purd.Settings(n=16, batch_size=8, episode_length=1))
    np.testing.assert_array_equal(samples["return"], again["return"])
    stats = summarize(samples["return"].astype(np.float64), StatsSettings(resamples=50))
    assert stats["mean"] <= 0 and stats["std"] > 0


def test_the_config_takes_the_learner_once_the_schema_names_it(ddpg):
    """README step 3: the learner's name in definitions.learner and a section of its hyperparameters."""
    config = yaml.safe_load((ROOT / "configs" / "tiny.yaml").read_text())
    config["algos"] = ["ddpg"]
    config["ddpg"] = {"total_steps": 600, "checkpoints": [600], "warmup_steps": 200, "hidden": HIDDEN}
    with pytest.raises(ConfigError, match="algos"):
        validate_config(copy.deepcopy(config))
    schema = load_schema()
    schema["definitions"]["learner"]["enum"].append("ddpg")
    schema["properties"]["ddpg"] = copy.deepcopy(schema["properties"]["td3"])  # the off-policy keys
    schema["properties"]["ddpg"]["properties"].pop("state_every")  # TD3's alone
    validated = validate_config(config, schema)
    assert validated["ddpg"]["batch_size"] == 256 and validated["ddpg"]["hidden"] == HIDDEN


def _workflow_with_the_learner_added(tmp_path):
    """A copy of the workflow and its library with the README's three steps applied, and the
    config file that selects the learner on the tiny config (hopper, one seed)."""
    from workflow_run import copy_workflow

    work = copy_workflow(tmp_path / "workflow")
    shutil.copytree(ROOT / "workflow_lib", work / "workflow_lib", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "examples" / "ddpg.py", work / "workflow_lib" / "agents" / "ddpg.py")  # step 1
    registry_file = work / "workflow_lib" / "agents" / "registry.py"  # step 2
    registry_text = registry_file.read_text()
    anchor = '    "ppo": Algorithm("ppo", "workflow_lib.agents.ppo", "PPOConfig", off_policy=False),\n'
    assert anchor in registry_text
    registry_file.write_text(registry_text.replace(
        anchor, anchor + '    "ddpg": Algorithm("ddpg", "workflow_lib.agents.ddpg", "DDPGConfig", off_policy=True),\n'))
    schema_file = work / "schemas" / "config.schema.yaml"  # step 3
    schema_text = schema_file.read_text()
    assert "  learner: {enum: [td3, sac, ppo, ppo_atari]}\n" in schema_text and "  sac:\n" in schema_text
    schema_file.write_text(schema_text.replace("  learner: {enum: [td3, sac, ppo, ppo_atari]}\n",
                                               "  learner: {enum: [td3, sac, ppo, ppo_atari, ddpg]}\n")
                           .replace("  sac:\n", "  ddpg:\n    type: object\n    additionalProperties: false\n"
                                    "    required: [total_steps, checkpoints]\n    properties:\n"
                                    "      <<: *offpolicy_common\n      exploration_noise: {type: number, minimum: 0, default: 0.1}\n"
                                    "  sac:\n", 1))
    (work / "ddpg.yaml").write_text("envs: [hopper]\nseeds: [0]\nalgos: [ddpg]\nddpg: {total_steps: 600, checkpoints: [400, 600],"
                                    " warmup_steps: 200, log_every: 200, hidden: [32, 32], batch_size: 32}\n")
    return work, ("--configfile", "configs/tiny.yaml", "ddpg.yaml"), {"PYTHONPATH": str(work)}  # the copy's library


TARGETS = ("results/figures/purd_map_hopper.png", "learning_curves")


def test_the_workflow_plans_the_added_learner_after_the_readme_steps(tmp_path):
    """The README's three steps: the workflow takes the learner and plans its training, PURD,
    statistics and figures (the run itself: the slow test below; its library calls: the tests above)."""
    from workflow_run import snakemake

    work, config, env = _workflow_with_the_learner_added(tmp_path)
    result = snakemake(work, *TARGETS, "-n", *config, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    plan = result.stdout + result.stderr
    for job in ("train_ddpg_hopper_seed0 ", "purd_ddpg ", "purd_stats ", "purd_map ", "learning_curves "):  # job stats rows
        assert job in plan, job


@pytest.mark.slow  # CI's time: about 100 s of compiling beside the tiny run
def test_the_workflow_runs_the_added_learner_after_the_readme_steps(tmp_path):
    """The same, run: trained, sampled, summarised and drawn by the workflow's rules."""
    from workflow_run import snakemake

    work, config, env = _workflow_with_the_learner_added(tmp_path)
    result = snakemake(work, *TARGETS, "--cores", "2", *config, env=env, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    results = work / "results"
    assert len(list(results.glob("checkpoints/hopper/ddpg/seed*/step*.msgpack"))) == 2  # seed 0's checkpoints
    purds = sorted(results.glob("purd/hopper/ddpg/ddpg/seed*/step*.parquet"))
    assert len(purds) == 2 and all(pl.read_parquet(p).height == 12 for p in purds)
    assert (results / "figures" / "purd_map_hopper.png").read_bytes()[:4] == b"\x89PNG"
    assert (results / "figures" / "learning_curves.png").read_bytes()[:4] == b"\x89PNG"
