"""Scheduler requests follow the config's scale (workflow_lib/resources.py)."""

import copy
from pathlib import Path

import yaml

from workflow_lib.workflow import resources
from workflow_lib.workflow.config import validate_config

ROOT = Path(__file__).resolve().parent.parent


def config(path="config.yaml", **extra):
    raw = yaml.safe_load((ROOT / path).read_text())
    if path != "config.yaml":  # the scale files extend the default config
        base = yaml.safe_load((ROOT / "config.yaml").read_text())
        base.update(raw)
        raw = base
    raw.update(extra)
    return validate_config(raw)


def test_runtime_scales_with_steps_and_has_a_floor():
    small = config()
    assert resources.train_runtime(small, "td3") == small["resources"]["min_runtime"]
    big = config(resources={"train_steps_per_s": {"td3": 100}, "runtime_margin": 1.5})
    # 50k steps at 100 steps/s = 500 s, x 1.5 = 12.5 min -> 13, under the 15-minute floor
    assert resources.train_runtime(big, "td3") == 15
    slow = config(resources={"train_steps_per_s": {"td3": 10}, "runtime_margin": 1})
    assert resources.train_runtime(slow, "td3") == 84  # 5000 s


def test_memory_counts_the_replay_of_every_seed_in_a_block():
    c = config(resources={"mem_mb": 1000, "replay_bytes_per_step": 2**20})
    assert resources.train_mem(c, "td3", 1) == 1000 + 50_000
    assert resources.train_mem(c, "td3", 4) == 1000 + 200_000
    assert resources.train_mem(c, "ppo", 4) == 1000


def test_ppo_purd_counts_each_samples_own_unroll():
    c = config()
    n, length = c["purd"]["samples"], c["episode_length"]
    assert resources.purd_env_steps(c, "td3") == n * length
    assert resources.purd_env_steps(c, "ppo") == n * (length + c["ppo"]["num_envs"] * c["ppo"]["unroll_length"])


def test_paper_scale_requests():
    c = config("configs/paper.yaml")
    assert c["resources"]["gpu"] is None  # open: follows where the jobs run
    for local, gpu, wanted in ((False, False, 1), (True, True, 1), (True, False, 0)):
        resolved = copy.deepcopy(c)
        resources.resolve_gpus(resolved, local=local, has_gpu=gpu)
        assert resolved["resources"]["gpu"] == wanted
    kept = copy.deepcopy(c)
    kept["resources"]["gpu"] = 2
    resources.resolve_gpus(kept, local=True, has_gpu=False)
    assert kept["resources"]["gpu"] == 2
    assert resources.train_runtime(c, "td3") > 30  # 1M steps: most of an hour, not the floor
    assert resources.train_mem(c, "td3", c["train"]["seeds_per_job"]) > resources.purd_mem(c, "td3")


def test_rollout_jobs_ask_for_their_rollouts():
    c = config("configs/paper.yaml")
    steps_per_min = 60 * c["resources"]["purd_steps_per_s"] / (c["episode_length"] * c["resources"]["runtime_margin"])
    # BTP: 2 run kinds x 500 pairs x 100 points x 100 samples (the authors') = 1e7 rollouts: 667 min
    assert resources.btp_runtime(c) == -(-10_000_000 // steps_per_min) == 667
    i = c["interpolation"]
    perturbed = i["pairs"] * i["points"] * i["perturbations"]  # same-run pairs only
    assert resources.interpolation_runtime(c, "perturbed") == max(15, -(-perturbed // steps_per_min))
    assert resources.interpolation_runtime(c, "paths") == c["resources"]["min_runtime"]
    assert resources.landscape_runtime(c) == resources.rollouts_runtime(c, 2 * 41 * 41)
