"""A user's own Gymnasium environment (issue 30): registered through gym_modules, checked against what
the studies need, stepped by the host engine, and trained with or without a snapshot of its own."""

import os

import gymnasium
import numpy as np
import pytest

from workflow_lib.core.errors import ConfigError
from workflow_lib.engine.families import HOST, family_of
from workflow_lib.envs import gym_envs
from workflow_lib.envs.host import HostEnvs, env_sizes
from workflow_lib.training.host_loop import HostTraining
from workflow_lib.agents.registry import ALGORITHMS

EXAMPLE = "examples.cliff_runner"


@pytest.fixture(autouse=True)
def example_registered(monkeypatch):
    monkeypatch.chdir(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the workflow directory
    gym_envs.use_modules([EXAMPLE])
    yield
    os.environ.pop(gym_envs.MODULES_VARIABLE, None)


class _Unseeded(gymnasium.Env):
    """Starts from the global NumPy stream: not deterministic from its seed."""

    observation_space = gymnasium.spaces.Box(-1, 1, (2,), np.float32)
    action_space = gymnasium.spaces.Box(-1, 1, (1,), np.float32)

    def reset(self, *, seed=None, options=None):
        return np.random.uniform(-1, 1, 2).astype(np.float32), {}

    def step(self, action):
        return np.zeros(2, np.float32), 0.0, False, False, {}


class _Image(_Unseeded):
    observation_space = gymnasium.spaces.Box(0, 255, (4, 84, 84), np.uint8)


class _Discrete(_Unseeded):
    action_space = gymnasium.spaces.Discrete(3)


class _ChannelsLast(_Discrete):
    """An RGB image as most renderers give it, channels last: the CNN takes channels first."""

    observation_space = gymnasium.spaces.Box(0, 255, (84, 84, 3), np.uint8)


def _no_snapshot():
    from examples.cliff_runner import CliffRunner

    class CliffRunnerWithoutSnapshot(CliffRunner):
        get_state = set_state = None

    return CliffRunnerWithoutSnapshot()


for _id, _entry in {"TestUnseeded-v0": _Unseeded, "TestImage-v0": _Image, "TestDiscrete-v0": _Discrete,
                    "TestChannelsLast-v0": _ChannelsLast, "TestNoSnapshot-v0": _no_snapshot}.items():
    if _id not in gymnasium.registry:
        gymnasium.register(id=_id, entry_point=_entry)


def test_the_example_meets_the_requirements():
    need = gym_envs.requirements("CliffRunner-v0")
    assert (need.observation_size, need.action_size, need.snapshot) == (5, 2, "own")
    assert env_sizes("gym-CliffRunner-v0") == (5, 2)
    assert family_of("gym-CliffRunner-v0") is HOST
    assert gym_envs.requirements("Hopper-v5").snapshot == "mujoco"
    assert gym_envs.requirements("TestNoSnapshot-v0").snapshot is None


@pytest.mark.parametrize("env_id,message", [
    ("NoSuchEnv-v0", "gym-NoSuchEnv-v0: not a registered Gymnasium id"),
    ("my_ns/CliffRunner-v0", "a namespaced id cannot name files"),
    ("TestUnseeded-v0", r"reset\(seed=12345\) twice gave different observations"),
    ("TestImage-v0", r"observation space Box\(0, 255, \(4, 84, 84\), uint8\) is not a flat \(1-D\) Box"),
    ("TestDiscrete-v0", r"actions are discrete and its observation space Box\(-1.0, 1.0, \(2,\), float32\) does not "
                        r"fit the CNN of the discrete learner \(ppo_atari\)"),
    ("TestChannelsLast-v0", r"observation space Box\(0, 255, \(84, 84, 3\), uint8\) does not fit the CNN"),
])
def test_what_an_env_lacks_is_one_line(env_id, message):
    with pytest.raises(ValueError, match=message) as err:
        gym_envs.requirements(env_id)
    assert "\n" not in str(err.value)


def test_a_module_that_fails_to_import_is_named_with_its_own_error(tmp_path, monkeypatch):
    (tmp_path / "broken_envs.py").write_text("import gymnasium\nraise RuntimeError('no licence file found')\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=r"^config key 'gym_modules\[1\]': importing broken_envs failed: "
                                          r"RuntimeError: no licence file found$"):
        gym_envs.use_modules([EXAMPLE, "broken_envs"])
    with pytest.raises(ConfigError, match="importing not_a_module failed: ModuleNotFoundError"):
        gym_envs.use_modules(["not_a_module"])


def test_the_copies_are_the_env_itself():
    """HostEnvs' copies of the user's env step as the env does, actions mapped onto its bounds
    (here [-1, 1]: as they are) and reset from their seed to the same start."""
    from examples.cliff_runner import CliffRunner

    copies, ref = HostEnvs("gym-CliffRunner-v0", 2), CliffRunner()
    obs = copies.reset([7, 7])
    np.testing.assert_array_equal(obs[0], ref.reset(seed=7)[0])
    np.testing.assert_array_equal(obs[0], obs[1])
    actions = np.random.default_rng(0).uniform(-1, 1, (50, 2))
    for action in actions:
        got, reward, terminal = copies.step(np.stack([action, action]))
        want, r, term, _, _ = ref.step(action)
        np.testing.assert_allclose(got[0], want, rtol=1e-6)
        assert reward[0] == np.float32(r) and terminal[0] == term


def _advanced(env: str, steps: int) -> HostTraining:
    """A TD3 job's host side after `steps` uniform warm-up steps (two seeds)."""
    import jax

    from workflow_lib.training.host_loop import host_carry_init

    algo = ALGORITHMS["td3"]
    hp = algo.make_config({"hidden": [8, 8], "batch_size": 4})
    side = HostTraining(env, algo, (0, 1), episode_length=30)
    carry = jax.vmap(lambda k: host_carry_init(algo, 5, 2, hp, k, 200))(jax.random.split(jax.random.key(0), 2))
    side.advance(carry, 0, steps, False, False, 1)
    return side


def test_an_env_without_a_snapshot_restarts_its_episodes_on_resume():
    """A snapshot of the example continues its copies to the bit; the same env without
    get_state/set_state begins a new episode from the saved random stream instead."""
    for env, restarts in (("gym-CliffRunner-v0", False), ("gym-TestNoSnapshot-v0", True)):
        side = _advanced(env, 45)
        saved = side.state()
        again = _advanced(env, 1)
        again.restore(saved)
        if not restarts:
            np.testing.assert_array_equal(again.obs, side.obs)
            np.testing.assert_array_equal(again.t, side.t)
            for a, b in zip(again.envs.copies, side.envs.copies):
                np.testing.assert_array_equal(a.env.state, b.env.state)
            continue
        assert (again.t == 0).all() and (again.episode_return == 0).all() and again.actions is None
        for copy, state in zip(side.envs.copies, saved["envs"]):
            fresh = gymnasium.make("CliffRunner-v0").unwrapped
            fresh.reset(seed=0)
            fresh.np_random.bit_generator.state = state["random"]
            np.testing.assert_array_equal(again.obs[side.envs.copies.index(copy)], fresh.reset()[0])
