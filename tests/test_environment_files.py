"""The pins in pyproject.toml, envs/jax.yaml and constraints.txt agree."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def pins(lines):
    out = {}
    for line in lines:
        m = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;]+)\s*", line)
        if m:
            out[m.group(1).lower().replace("_", "-")] = m.group(2)
    return out


def test_conda_env_matches_pyproject():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    project = pins(data["dependencies"] + data["optional-dependencies"]["atari"])
    env = yaml.safe_load((ROOT / "envs" / "jax.yaml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pins(pip) == project
    assert "python=3.11" in env["dependencies"]
    assert "-e ..[host,atari]" in [line.split("#")[0].strip() for line in pip]


def test_constraints_agree_with_pins():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = data["optional-dependencies"]
    project = pins(data["dependencies"] + extras["test"] + extras["host"] + extras["atari"])
    constraints = pins((ROOT / "constraints.txt").read_text().splitlines())
    assert {k: constraints.get(k) for k in project} == project
