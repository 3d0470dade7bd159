"""Host-stepped simulators (DM Control via dm_control, Gymnasium's MuJoCo tasks): the tasks are
the reference's, copies start from one state, the engine's rollouts and the host training loop."""

import os

import jax
import numpy as np
import pytest

os.environ.setdefault("MUJOCO_GL", "disable")
suite = pytest.importorskip("dm_control.suite")
gymnasium = pytest.importorskip("gymnasium")

from workflow_lib.core import checkpoint  # noqa: E402
from workflow_lib.engine.families import HOST, family_of  # noqa: E402
from workflow_lib.engine.rollout import RolloutSettings  # noqa: E402
from workflow_lib.envs.host import HostEnvs, split_host_env  # noqa: E402
from workflow_lib.agents.registry import ALGORITHMS  # noqa: E402
from workflow_lib.studies import purd  # noqa: E402
from workflow_lib.studies.policy import load_policy, synthetic_policy  # noqa: E402
from workflow_lib.training.files import load_checkpoint  # noqa: E402
from workflow_lib.training.job import TrainJob  # noqa: E402
from workflow_lib.training.trainer import Trainer  # noqa: E402


def fixed_actions(size, steps=60, seed=7):
    return np.random.default_rng(seed).uniform(-1, 1, (steps, size))


def test_dmc_copy_is_dm_control_itself_on_fixed_actions():
    """Same start (one seed) and the same actions: the same observations (dict flattened in
    sorted key order) and rewards, to the bit, as dm_control's own quadruped-walk. Policies act
    in [-1, 1], mapped linearly onto the actuators' bounds (quadruped's are not all [-1, 1]: the
    lift actuators go to 1.1, the extend ones to 0.8), so the reference gets the mapped action."""
    ours = HostEnvs("dmc-quadruped-walk", 1)
    ref = suite.load("quadruped", "walk", task_kwargs={"random": 3})
    flat = lambda o: np.concatenate([np.asarray(o[k], np.float32).ravel() for k in sorted(o)])  # noqa: E731
    np.testing.assert_array_equal(ours.reset([3])[0], flat(ref.reset().observation))
    assert ours.observation_size == 78 and ours.action_size == 12
    spec = ref.action_spec()
    assert (spec.maximum != 1).any()
    for action in fixed_actions(12):
        obs, reward, terminal = ours.step(action[None])
        ts = ref.step(action * (spec.maximum - spec.minimum) / 2 + (spec.maximum + spec.minimum) / 2)
        np.testing.assert_array_equal(obs[0], flat(ts.observation))
        assert reward[0] == np.float32(ts.reward) and not terminal[0]


def test_gym_copy_is_gymnasium_itself_on_fixed_actions():
    """Gymnasium's Hopper-v5 from reset(seed=5): same observations, rewards and termination."""
    ours = HostEnvs("gym-Hopper-v5", 1)
    ref = gymnasium.make("Hopper-v5")
    np.testing.assert_array_equal(ours.reset([5])[0], ref.reset(seed=5)[0].astype(np.float32))
    ended = False
    for action in fixed_actions(3, steps=200):
        obs, reward, terminal = ours.step(action[None])
        r_obs, r_reward, r_term, _, _ = ref.step(action)
        np.testing.assert_array_equal(obs[0], r_obs.astype(np.float32))
        assert reward[0] == np.float32(r_reward) and terminal[0] == r_term
        if r_term:
            ended = True
            break
    assert ended  # random actions topple the hopper: termination is compared too


def test_actions_map_onto_the_task_bounds():
    """Policies emit [-1, 1]; HumanoidStandup's actuators take [-0.4, 0.4]."""
    env = HostEnvs("gym-HumanoidStandup-v5", 1)
    env.reset([0])
    env.step(np.ones((1, env.action_size)))
    np.testing.assert_allclose(env.copies[0].env.data.ctrl, 0.4, rtol=1e-6)


def test_dm_control_actions_are_clamped_as_the_authors_or_scaled():
    """host.dmc_actions: "clip" (the default, the authors') passes [-1, 1] actions as they are,
    clamped to each actuator's range as MuJoCo clamps a limited control; "scale" maps [-1, 1]
    onto the range. Quadruped's actuators are not all [-1, 1], so the two differ."""
    from workflow_lib.envs.host import action_mapping

    clipped, scaled = HostEnvs("dmc-quadruped-walk", 1, "clip"), HostEnvs("dmc-quadruped-walk", 1, "scale")
    low, high = clipped.copies[0].low, clipped.copies[0].high
    assert not np.allclose(low, -1.0) or not np.allclose(high, 1.0)  # the test means something
    action = np.linspace(-1.0, 1.0, clipped.action_size)[None] * 1.5  # beyond [-1, 1] too
    for env, want in ((clipped, np.clip(np.clip(action[0], -1, 1), low, high)),
                      (scaled, np.clip(action[0], -1, 1) * (high - low) / 2 + (high + low) / 2)):
        env.reset([0])
        env.step(action)
        np.testing.assert_allclose(env.copies[0].env.physics.data.ctrl, want, rtol=1e-6)
    assert action_mapping("dmc-quadruped-walk", "clip") == "clip"
    assert action_mapping("dmc-quadruped-walk", "none") == "scale"  # a checkpoint from before the choice
    assert action_mapping("gym-Hopper-v5", "clip") == "scale"  # Gymnasium's tasks always scale
    with pytest.raises(ValueError, match="action mapping"):
        HostEnvs("dmc-quadruped-walk", 1, "squash")


def test_copies_reset_with_one_seed_start_from_one_state_and_step_alike():
    env = HostEnvs("dmc-quadruped-walk", 3)
    obs = env.reset([11, 11, 11])
    assert (obs == obs[0]).all()
    nxt, reward, _ = env.step(np.tile(fixed_actions(12, 1), (3, 1)))
    assert (nxt == nxt[0]).all() and (reward == reward[0]).all()
    other = env.reset([11, 12, 11])
    assert (other[0] == other[2]).all() and not (other[0] == other[1]).all()


def test_unknown_host_task_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown dmc task 'dmc-quadruped-sprint'.*dmc-quadruped-walk"):
        split_host_env("dmc-quadruped-sprint")
    with pytest.raises(ValueError, match="gym-Hopper-v9: not a registered Gymnasium id"):
        family_of("gym-Hopper-v9")
    assert family_of("gym-Hopper-v5") is HOST and not HOST.jittable


def test_host_rollouts_are_the_policy_stepped_by_hand():
    """The engine's batch rollout equals one copy stepped by hand with the same policy, each row
    its own parameters; rewards stop at termination (Hopper falls)."""
    policy = synthetic_policy("gym-Hopper-v5", "spring", "td3", {"hidden": [16, 16]}, 50)
    learner = ALGORITHMS["td3"].module
    keys = jax.random.split(jax.random.key(0), 3)
    base = learner.actor_params(policy.agent)
    params = jax.vmap(lambda k: purd.perturb(base, k, 0.3))(keys)
    out = HOST.rollouts(HOST.make("gym-Hopper-v5", "none"), learner, policy.agent, params, np.int64(0),
                        RolloutSettings(batch_size=3, episode_length=300, with_rewards=True))
    for i in range(3):
        agent = learner.with_actor_params(policy.agent, jax.tree.map(lambda x, i=i: x[i], params))
        env = HostEnvs("gym-Hopper-v5", 1)
        obs, total, length = env.reset([0]), np.float32(0), 0
        for _ in range(300):
            obs, reward, terminal = env.step(np.asarray(learner.policy(agent, obs)))
            total, length = total + reward[0], length + 1
            if terminal[0]:
                break
        assert out["length"][i] == length < 300
        np.testing.assert_allclose(out["return"][i], total, rtol=1e-5)
        assert (out["rewards"][i, length:] == 0).all()


def test_host_training_is_reproducible_and_its_checkpoint_samples_a_purd(tmp_path):
    """A TD3 job of two seeds on a host-stepped task: the same checkpoints twice (to the byte),
    loadable as a policy without a simulator state, whose PURD samples differ from each other."""
    job = TrainJob(env="gym-Hopper-v5", backend="spring", algo="td3", seeds=(0, 1), total_steps=120,
                   checkpoints=(80, 120), hyperparameters={"hidden": [16, 16], "batch_size": 16}, warmup_steps=40,
                   log_every=40, episode_length=100)
    import logging

    paths = []
    for run in ("a", "b"):
        trainer = Trainer(job, tmp_path / run / "work", logging.getLogger("test"))
        carry, rows = trainer.run()
        outs = {(s, t): tmp_path / run / f"seed{s}_step{t}.msgpack" for s in job.seeds for t in job.checkpoints}
        replay = {s: tmp_path / run / f"seed{s}_replay.msgpack" for s in job.seeds}
        evals = {s: tmp_path / run / f"seed{s}_eval.parquet" for s in job.seeds}
        trainer.publish(carry, rows, outs, replay, evals)
        paths.append(outs)
        assert len(rows) == 2 * 3 and int(carry.buffer.size[0]) == 120
    for key in paths[0]:
        assert paths[0][key].read_bytes() == paths[1][key].read_bytes()
    meta, state = load_checkpoint(paths[0][(1, 120)])
    assert meta["family"] == "host" and "env" not in state and int(state["buffer_size"]) == 120
    assert checkpoint.read_header(paths[0][(1, 120)], "agent")[0]["state_every"] == 0
    policy = load_policy(paths[0][(1, 120)], tmp_path / "a" / "seed1_replay.msgpack")
    samples = purd.sample(policy, "td3", purd.Settings(n=4, batch_size=4, episode_length=100))
    assert len(np.unique(samples["return"])) == 4 and (samples["length"] > 0).all()
    # The failures study records chosen samples again, step by step, with the coordinates q.
    again = purd.sample(policy, "td3", purd.Settings(n=4, batch_size=4, episode_length=100, with_rewards=True,
                                                     with_states=True), indices=np.array([2, 0]))
    np.testing.assert_array_equal(again["return"], samples["return"][[2, 0]])
    assert again["q"].shape[:2] == (2, 100) and again["q"].shape[2] == 6  # Hopper's qpos


def test_rollouts_stepped_in_two_groups_equal_one_group(monkeypatch):
    """The engine steps a batch of copies in two halves, each half's policy call overlapping the
    other half's stepping: the same returns, lengths, rewards and coordinates, to the bit, as one
    group (the per-row policy is the same computation whatever rows it is called with)."""
    from workflow_lib.engine import families

    policy = synthetic_policy("gym-Hopper-v5", "spring", "td3", {"hidden": [16, 16]}, 50)
    learner = ALGORITHMS["td3"].module
    base = learner.actor_params(policy.agent)
    params = jax.vmap(lambda k: purd.perturb(base, k, 0.3))(jax.random.split(jax.random.key(1), 40))
    settings = RolloutSettings(batch_size=40, episode_length=200, with_rewards=True, with_states=True)
    assert len(families.overlap_groups(families.host_copies("gym-Hopper-v5", 40), 40)) == 2
    two = HOST.rollouts(HOST.make("gym-Hopper-v5", "none"), learner, policy.agent, params, np.int64(0), settings)
    monkeypatch.setattr(families, "OVERLAP_MIN_COPIES", 10**6)
    one = HOST.rollouts(HOST.make("gym-Hopper-v5", "none"), learner, policy.agent, params, np.int64(0), settings)
    assert len(np.unique(one["length"])) > 3  # the copies fall at different steps
    for key in ("return", "length", "rewards", "q"):
        np.testing.assert_array_equal(two[key], one[key])
