"""The rollout engine: PURD returns pinned to the bit, the early-stopping rollout against the
fixed-length scan, fixed parameter sets, and the library's layers."""

import ast
import hashlib
import json
from pathlib import Path

import jax
import numpy as np
import pytest

from workflow_lib.agents import td3
from workflow_lib.engine.program import GivenParams, Target, chunk_program, evaluate
from workflow_lib.engine.rollout import RolloutSettings, rollout_return, stop_check_every
from workflow_lib.envs.native import make_env, reference_state
from workflow_lib.studies import purd

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = json.loads((ROOT / "tests" / "data" / "golden_purds.json").read_text())
SMALL = {"td3": {"hidden": [32, 32], "batch_size": 32}, "sac": {"hidden": [32, 32], "batch_size": 32},
         "ppo": {"hidden": [32, 32], "num_envs": 4, "unroll_length": 8, "num_minibatches": 2}}


def same_cpu_as_recorded() -> bool:
    """XLA's CPU code depends on the processor's features: bit-for-bit only where they match."""
    flags = next((line for line in open("/proc/cpuinfo") if line.startswith("flags")), "flags: ").split(":", 1)[1]
    digest = hashlib.sha256(" ".join(sorted(flags.split())).encode()).hexdigest()[:12]
    return jax.default_backend() == "cpu" and digest == GOLDEN["cpu_flags_sha256"]


@pytest.mark.parametrize("purd_name", sorted(GOLDEN["purds"]))
def test_purd_returns_of_fixed_synthetic_policies_do_not_drift(purd_name):
    """Recorded with the code before the engine was rewritten: any change to keys, updates, rollouts
    or chunking that moves a return shows here (exactly on the recording machine's CPU)."""
    algo, kind = purd_name.split("/")
    policy = purd.synthetic_policy("hopper", "spring", algo, SMALL[algo], 0 if algo == "ppo" else 256,
                                   max_steps=GOLDEN["episode_length"])
    # Recorded when PPO's PURD step clipped at training's norm (1.0): that alternative, one value
    # away from the authors' 0.1 (docs/protocol.md, "One update"), must still give these bits.
    options = {"purd_max_grad_norm": 1.0} if kind == "ppo" else {}
    settings = purd.Settings(n=GOLDEN["n"], batch_size=GOLDEN["batch_size"], sigma=GOLDEN["sigma"],
                             episode_length=GOLDEN["episode_length"], update_options=options)
    out = purd.sample(policy, kind, settings)
    want = GOLDEN["purds"][purd_name]
    np.testing.assert_array_equal(out["length"], want["length"])
    expected = np.array([float.fromhex(x) for x in want["return"]], np.float32)
    if same_cpu_as_recorded():
        np.testing.assert_array_equal(out["return"], expected)
    else:
        np.testing.assert_allclose(out["return"], expected, rtol=1e-4)


def test_early_stopping_chunks_equal_the_fixed_length_scan_to_the_bit():
    """A chunk stops at the first block after which every rollout has ended; its returns,
    lengths and rewards are a fixed-length vmapped rollout_return's."""
    env, start = make_env("hopper", "spring"), reference_state("hopper", "spring")
    agents = [td3.init(jax.random.key(k), env.observation_size, env.action_size, td3.TD3Config(hidden=(16,)))
              for k in range(4)]
    params = jax.tree.map(lambda *x: np.stack(x), *[td3.actor_params(a) for a in agents])
    scan = jax.jit(jax.vmap(lambda p: rollout_return(env, td3.policy, td3.with_actor_params(agents[0], p), start, 200,
                                                     with_rewards=True)))(params)
    target, settings = Target("hopper", "spring", "td3"), RolloutSettings(batch_size=4, episode_length=200,
                                                                         with_rewards=True)
    out = evaluate(target, GivenParams(), agents[0], (), params, settings)
    assert np.asarray(scan["length"]).max() < 150  # random policies fall early...
    assert chunk_program(target, GivenParams(), settings)[0].blocks[-1] < 200 // stop_check_every(200)  # ...and stop
    for k in ("return", "length", "rewards"):
        np.testing.assert_array_equal(out[k], np.asarray(scan[k]))


def test_given_parameter_sets_are_rolled_out_as_they_are():
    env, start = make_env("probe", "none"), reference_state("probe", "none")
    agent = td3.init(jax.random.key(0), env.observation_size, env.action_size, td3.TD3Config(hidden=(8,)))
    params = jax.tree.map(lambda x: np.stack([x, 0.5 * x, -x, 2 * x, x + 0.1]), td3.actor_params(agent))
    out = evaluate(Target("probe", "none", "td3"), GivenParams(), agent, (), params,
                   RolloutSettings(batch_size=2, episode_length=1))
    for i in range(5):
        one = jax.tree.map(lambda x, i=i: x[i], params)
        want = rollout_return(env, td3.policy, td3.with_actor_params(agent, one), start, 1)["return"]
        np.testing.assert_allclose(out["return"][i], want, rtol=1e-6)
    assert out["return"].shape == (5,) and (out["length"] == 1).all()


# The library's layers, lowest first: a module imports only from its own package and those before it.
LAYERS = ("core", "analysis", "envs", "agents", "engine", "training", "studies", "plots", "workflow")


def library_imports() -> dict[str, set[str]]:
    """module (dotted, under workflow_lib) -> the workflow_lib modules it imports."""
    graph = {}
    for path in (ROOT / "workflow_lib").rglob("*.py"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("workflow_lib"):
                found |= {f"{node.module}.{a.name}" if node.module.count(".") == 1 else node.module for a in node.names}
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name.startswith("workflow_lib")}
        graph[name] = found
    return graph


def test_the_library_imports_only_downward_with_modules_of_one_job():
    graph = library_imports()
    for module, imported in graph.items():
        parts = module.split(".")
        if len(parts) < 3:
            continue
        own = LAYERS.index(parts[1])
        for target in imported:
            layer = target.split(".")[1]
            assert layer in LAYERS, f"{module} imports {target}, outside the layers"
            assert LAYERS.index(layer) <= own, f"{module} ({parts[1]}) imports {target} from the layer above ({layer})"
    for path in (ROOT / "workflow_lib").rglob("*.py"):
        lines = len(path.read_text().splitlines())
        assert lines <= 320, f"{path.relative_to(ROOT)} has {lines} lines: split it"


def test_the_library_has_no_import_cycles():
    graph = library_imports()
    modules = {m for m in graph if m.count(".") >= 2}
    edges = {m: {t for t in graph[m] if t in modules and t != m} for m in modules}
    state: dict[str, int] = {}

    def visit(m, trail):
        state[m] = 1
        for t in edges[m]:
            assert state.get(t) != 1, "import cycle: " + " -> ".join(trail + [m, t])
            if t not in state:
                visit(t, trail + [m])
        state[m] = 2

    for m in sorted(modules):
        if m not in state:
            visit(m, [])
