"""Training jobs as literal rules (workflow_lib.workflow.blocks): one per (env, algo, seed block),
together producing every per-seed file exactly once, with no wildcard in any path."""

import copy
from pathlib import Path

import pytest
import yaml
from snakemake.utils import update_config

from workflow_lib.workflow import blocks, layout
from workflow_lib.workflow.config import validate_config

ROOT = Path(__file__).resolve().parent.parent


def load(*names):
    """The config as Snakemake builds it: config.yaml, then each --configfile merged over it."""
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    for name in names:
        update_config(config, yaml.safe_load((ROOT / name).read_text()))
    return validate_config(config)


@pytest.fixture(scope="module")
def paper():
    return load("configs/paper.yaml")


def test_one_job_per_env_algo_and_block(paper):
    jobs = blocks.train_blocks(paper)
    # Brax envs x algos x (20 seeds / 4 per job), the 5 DM Control tasks x TD3 and SAC, and the 4
    # Atari games x ppo_atari x (its 5 runs: blocks of 4 and 1)
    assert len(jobs) == 4 * 3 * 5 + 5 * 2 * 5 + 4 * 2
    assert {job.seeds for job in jobs if job.algo == "ppo_atari"} == {(0, 1, 2, 3), (4,)}
    assert len({job.rule for job in jobs}) == len(jobs)
    assert jobs[0] == blocks.TrainBlock("ant", "td3", (0, 1, 2, 3))
    assert jobs[0].name == "seeds0-1-2-3" and jobs[0].rule == "train_td3_ant_seeds0-1-2-3"
    assert {job.seeds for job in jobs if job.algo != "ppo_atari"} == {(0, 1, 2, 3), (4, 5, 6, 7), (8, 9, 10, 11),
                                                                    (12, 13, 14, 15), (16, 17, 18, 19)}


def test_default_config_trains_one_seed_per_job():
    jobs = blocks.train_blocks(load())
    assert [job.rule for job in jobs] == ["train_td3_hopper_seed0", "train_td3_hopper_seed1", "train_sac_hopper_seed0",
                                          "train_sac_hopper_seed1", "train_ppo_hopper_seed0", "train_ppo_hopper_seed1"]


def test_last_block_takes_the_remaining_seeds(paper):
    config = copy.deepcopy(paper)
    config["seeds"] = [7, 3, 11, 5, 9]
    assert sorted({job.seeds for job in blocks.train_blocks(config)}) == [(7, 3, 11, 5), (9,)]
    assert blocks.TrainBlock("hopper", "sac", (9,)).rule == "train_sac_hopper_seed9"


def test_outputs_are_literal_and_each_file_has_one_producer(paper):
    """No wildcard in any product: Snakemake then finds a file's producer by its whole path."""
    produced = []
    for job in blocks.train_blocks(paper):
        outs = blocks.outputs(paper, job)
        products = [p for files in outs.values() for p in files] + [blocks.log_path(job), blocks.benchmark_path(job)]
        assert not [p for p in products if "{" in p or "}" in p]
        produced += [p for files in outs.values() for p in files]
        assert len(outs["checkpoints"]) == len(job.seeds) * len(paper[job.algo]["checkpoints"])
        assert len(outs["replay"]) == (len(job.seeds) if job.algo in ("td3", "sac") else 0)
        brax = not job.env.startswith("dmc-")  # a host-stepped run keeps no states (Figure 10 is a Brax study)
        assert len(outs["states"]) == (len(job.seeds) if job.algo == "td3" and brax else 0)
    assert len(produced) == len(set(produced))
    seeds, envs = paper["seeds"], paper["envs"]
    assert set(layout.all_checkpoints(paper)) | set(layout.all_eval_tables(paper)) <= set(produced)
    off = [e for e in envs if not e.startswith("atari-")]  # the games train ppo_atari only
    assert {layout.replay_path(e, a, s) for e in off for a in ("td3", "sac") for s in seeds} <= set(produced)
    assert {layout.states_path(e, "td3", s) for e in envs[:4] for s in seeds} <= set(produced)
    assert not [p for p in produced if p.endswith("states.msgpack") and "/dmc-" in p]


def test_outputs_keep_the_per_seed_paths(paper):
    job = blocks.TrainBlock("walker2d", "td3", (4, 5, 6, 7))
    outs = blocks.outputs(paper, job)
    assert outs["checkpoints"][:2] == ["results/checkpoints/walker2d/td3/seed4/step50000.msgpack",
                                       "results/checkpoints/walker2d/td3/seed4/step150000.msgpack"]
    assert outs["checkpoints"][-1] == "results/checkpoints/walker2d/td3/seed7/step950000.msgpack"
    assert outs["replay"] == [f"results/checkpoints/walker2d/td3/seed{s}/replay.msgpack" for s in (4, 5, 6, 7)]
    assert outs["states"] == [f"results/checkpoints/walker2d/td3/seed{s}/states.msgpack" for s in (4, 5, 6, 7)]
    assert outs["evals"] == [f"results/train/walker2d/td3/seed{s}/eval.parquet" for s in (4, 5, 6, 7)]


def test_log_benchmark_and_work_folder(paper):
    job = blocks.TrainBlock("hopper", "ppo", (0, 1))
    assert blocks.log_path(job) == "logs/train/hopper/ppo/seeds0-1.log"
    assert blocks.benchmark_path(job) == "results/benchmarks/train/hopper/ppo/seeds0-1.tsv"  # a run output
    assert blocks.work_dir(job) == "results/train/hopper/ppo/_work_seeds0-1"


def test_job_fields_are_the_train_job_of_the_block(paper):
    job = blocks.TrainBlock("ant", "sac", (8, 9, 10, 11))
    fields = blocks.job_fields(paper, job)
    assert (fields["env"], fields["algo"], fields["seeds"]) == ("ant", "sac", [8, 9, 10, 11])
    assert fields["backend"] == "positional" and fields["total_steps"] == 1_000_000
    assert fields["checkpoints"] == paper["sac"]["checkpoints"]
    assert "state_every" not in fields and "learning_rate" in fields["hyperparameters"]


def fields_by_rule(config):
    return {job.rule: blocks.job_fields(config, job) for job in blocks.train_blocks(config)}


def test_an_algo_edit_changes_that_algos_params_only(paper):
    """params.job triggers Snakemake's reruns: an edit must change exactly the jobs it affects."""
    before = fields_by_rule(paper)
    edited = copy.deepcopy(paper)
    edited["sac"]["learning_rate"] *= 2
    after = fields_by_rule(edited)
    changed = {rule for rule in before if before[rule] != after[rule]}
    assert changed == {rule for rule in before if rule.startswith("train_sac_")}


@pytest.mark.parametrize("edit", [
    {"train": {"snapshot_every_s": 7}},  # how often a job snapshots: not what it computes
    {"purd": {"samples": 10}},
    {"resources": {"min_runtime": 1}},
    # The post-update step's settings are the PURDs', not training's (docs/protocol.md, "One update").
    {"ppo": {"purd_max_grad_norm": 1.0}},
    {"ppo_atari": {"purd_update": "minibatch", "purd_adam": "restored", "purd_max_grad_norm": 0.5}},
    {"atari": {"return": "game_score", "interpolation_samples": 7}},
])
def test_values_that_do_not_change_training_leave_its_params_alone(paper, edit):
    edited = copy.deepcopy(paper)
    update_config(edited, edit)
    assert fields_by_rule(edited) == fields_by_rule(paper)


@pytest.mark.parametrize("edit, families", [
    ({"episode_length": 500}, ("brax", "dmc")),  # the Atari games' episodes have their own cap
    ({"atari": {"episode_length": 500}}, ("atari",)),
    ({"backend": "spring"}, ("brax",)),  # host-stepped simulators have no Brax backend
    ({"host": {"dmc_actions": "scale"}}, ("dmc",)),  # a DM Control run's action mapping is its backend
])
def test_values_every_training_job_of_a_family_uses_change_its_params(paper, edit, families):
    edited = copy.deepcopy(paper)
    update_config(edited, edit)
    before, after = fields_by_rule(paper), fields_by_rule(edited)
    family = lambda rule: next((f for f in ("dmc", "atari") if f"_{f}_" in rule), "brax")  # noqa: E731
    assert {rule for rule in before if before[rule] != after[rule]} == {r for r in before if family(r) in families}
