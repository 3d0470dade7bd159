"""Each shipped config runs with what do.py installs for it (issue 31), not only with the suite's
every-extra venv: for each row of the README's scales table (one per config in configs/ and the
default), in a venv where exactly the distributions of the extras do.py picks for that command can
be imported (tests/extras_venv.py), the row's command plans in its dry-run form, and every env
the config names is made and stepped once. Venvs are shared between rows whose extras are equal."""

from __future__ import annotations

import importlib.util
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from extras_venv import make_extras_venv
from workflow_run import copy_workflow

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("do", ROOT / "do.py")
do = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(do)

# Made and stepped once, with the config (config.yaml, then the files given) merged as Snakemake
# merges --configfile files and checked as the workflow checks it.
STEP_EVERY_ENV = """
import sys
import jax, jax.numpy as jnp, numpy as np
from snakemake.utils import update_config
from workflow_lib.engine.families import family_of, host_copies
from workflow_lib.envs.host import plays_frames
from workflow_lib.workflow.config import load_config_file, validate_config

config = load_config_file("config.yaml")
for name in sys.argv[1:]:
    update_config(config, load_config_file(name))
config = validate_config(config)
for env in config["envs"]:
    family = family_of(env)
    if family.jittable:
        sim = family.make(env, config["backend"])
        state = jax.jit(sim.step)(jax.jit(sim.reset)(jax.random.key(0)), jnp.zeros(sim.action_size))
        obs = np.asarray(state.obs)
    else:
        copies = host_copies(env, 1)
        copies.reset([0])
        discrete = plays_frames(env)  # an ALE game or a Gymnasium env of frames: one action index
        obs = copies.step(np.zeros(1, int) if discrete else np.zeros((1, copies.action_size)))[0]
    assert np.isfinite(obs).all(), env
    print("stepped", env)
"""


def scales_rows() -> list[tuple[str, list[str]]]:
    """(config file, command's words) of each row of the README's scales table."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## Scales", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        found = [re.fullmatch(r"`([^`]+)`", c) for c in cells]
        if len(cells) >= 3 and found[0] and found[2]:
            rows.append((found[0].group(1), shlex.split(found[2].group(1))))
    return rows


def planned_args(command: list[str]) -> list[str]:
    """Snakemake's arguments of a row's command: what `do.py run` passes on (`all` by default),
    or a direct `snakemake` call's own."""
    if command[:3] == ["python3", "do.py", "run"]:
        return command[3:] or ["all"]
    assert Path(command[0]).name == "snakemake", f"not a do.py run or snakemake command: {command}"
    return command[1:]


def config_files(args: list[str]) -> list[str]:
    i = args.index("--configfile") if "--configfile" in args else len(args)
    return [a for a in args[i + 1:] if not a.startswith("-")]


ROWS = scales_rows()


def test_the_scales_table_has_a_row_per_config():
    shipped = {"config.yaml"} | {f"configs/{p.name}" for p in (ROOT / "configs").glob("*.yaml")}
    assert {config for config, _ in ROWS} == shipped
    for config, command in ROWS:
        files = config_files(planned_args(command))
        assert files == ([] if config == "config.yaml" else [config]), f"{config}'s command names {files}"


@pytest.fixture(scope="module")
def extras_venvs(tmp_path_factory):
    """One venv per extras set, made on first use."""
    made: dict[frozenset, Path] = {}

    def python_for(extras: set[str]) -> Path:
        key = frozenset(extras)
        if key not in made:
            made[key] = make_extras_venv(tmp_path_factory.mktemp("extras-" + "-".join(sorted(key))), key)
        return made[key]

    return python_for


@pytest.fixture(scope="module")
def workflow(tmp_path_factory) -> Path:
    return copy_workflow(tmp_path_factory.mktemp("extras-workflow"))


@pytest.mark.parametrize("config,command", ROWS, ids=[config for config, _ in ROWS])
def test_each_config_runs_with_the_extras_do_py_installs(config, command, extras_venvs, workflow):
    args = planned_args(command)
    python = extras_venvs(do.wanted_extras("run", args))
    stepped = subprocess.run([str(python), "-c", STEP_EVERY_ENV, *config_files(args)], cwd=workflow,
                             capture_output=True, text=True, timeout=600)
    assert stepped.returncode == 0, stepped.stderr[-3000:]
    planned = subprocess.run([str(python), "-m", "snakemake", "-n", "--cores", "1", *args], cwd=workflow,
                             capture_output=True, text=True, timeout=600)
    assert planned.returncode == 0, (planned.stdout + planned.stderr)[-3000:]
