"""Config validation against schemas/config.schema.yaml, plus the checks a schema cannot state."""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from workflow_lib.core.errors import ConfigError
from workflow_lib.workflow.envsets import (ATARI_FIGURES, atari_games, btp_sizes, check_envs, check_study_envs,
                                           env_algos, episode_length, figure_envs, interpolation_algo,
                                           learner_episode_length, learner_return_settings, resolve_choices,
                                           return_settings, study_envs)

# With the validation below, what the rules and the other workflow modules import.
__all__ = ["ATARI_FIGURES", "ConfigError", "algo_seeds", "atari_games", "btp_sizes", "env_algos", "episode_length",
           "figure_envs", "interpolation_algo", "learner_episode_length", "learner_return_settings", "return_settings", "study_envs"]

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schemas" / "config.schema.yaml"


class _StrictLoader(yaml.SafeLoader):
    """YAML's safe loader that refuses a key given twice in one mapping (PyYAML keeps the last)."""

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise ConfigError(f"{self.name}:{key_node.start_mark.line + 1}: key {key!r} given twice (first on "
                                  f"line {seen[key] + 1}); YAML would keep the last one silently")
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def load_config_file(path: str | Path) -> dict:
    """A config file's keys, or one ConfigError naming the file (and the line): missing, not YAML,
    empty, not a mapping at the top level, or a key given twice."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"{path}: cannot read the config file ({err.strerror})") from None
    loader = _StrictLoader(text)
    loader.name = str(path)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(f"{where}: not valid YAML ({err.problem or err.context})") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict) or not data:
        what = "empty" if data is None or data == {} else f"a {type(data).__name__}"
        raise ConfigError(f"{path}: the config file is {what}; it must map config keys to values at the top level")
    return data


def load_schema(path: Path = SCHEMA_PATH) -> dict:
    return yaml.safe_load(path.read_text())


def _key_name(path) -> str:
    return ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in path).replace(".[", "[") or "<top level>"


def _fill_defaults(schema: dict, value: Any, root: dict) -> Any:
    """Insert schema defaults into objects (as Snakemake's validate(set_default=True) does)."""
    if "$ref" in schema:
        schema = {**_resolve(root, schema["$ref"]), **{k: v for k, v in schema.items() if k != "$ref"}}
    if schema.get("type") == "object" and isinstance(value, dict):
        for name, sub in schema.get("properties", {}).items():
            if name not in value and "default" in sub:
                value[name] = copy.deepcopy(sub["default"])
            if name in value:
                value[name] = _fill_defaults(sub, value[name], root)
    return value


def _resolve(root: dict, ref: str) -> dict:
    node = root
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return node


def _is_integer(checker, instance) -> bool:
    """A whole number written as one: 1000.0 is not an integer here (JSON schema's own check
    accepts it, and it would become a float in a wildcard, a shape or a key), nor is a bool."""
    return isinstance(instance, int) and not isinstance(instance, bool)


def _is_number(checker, instance) -> bool:
    """A finite number: YAML's .nan and .inf pass every comparison of a schema silently."""
    return isinstance(instance, (int, float)) and not isinstance(instance, bool) and math.isfinite(instance)


# Draft 2020-12 with the stricter integer and number above.
StrictValidator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine_many(
        {"integer": _is_integer, "number": _is_number}),
)


def validate_config(config: dict, schema: dict | None = None) -> dict:
    """A copy of `config` with defaults filled in; raises ConfigError naming the first bad key."""
    schema = schema or load_schema()
    if not isinstance(config, dict) or not config:
        raise ConfigError("the config is empty or not a mapping of keys (give --configfile a YAML file of keys)")
    validator = StrictValidator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(config))
    if error is not None:
        if error.validator == "additionalProperties":
            known = sorted(error.schema.get("properties", {}))
            extra = sorted(set(error.instance) - set(known))
            where = _key_name(list(error.absolute_path) + [extra[0]])
            raise ConfigError(f"config key '{where}': unknown key (known here: {', '.join(known)})")
        message = error.message
        if error.validator == "type" and isinstance(error.instance, float) and not math.isfinite(error.instance):
            message = f"{error.instance} is not a finite number"
        raise ConfigError(f"config key '{_key_name(error.absolute_path)}': {message}")
    return_set = "return" in (config.get("atari") or {})  # by the config, not its default
    config = _fill_defaults(schema, copy.deepcopy(config), schema)
    _check_semantics(config)  # first the envs: a gym- env is looked up once gym_modules have registered it
    _check_atari_return(config, return_set)
    return config


def _check_atari_return(config: dict, return_set: bool) -> None:
    """atari.return, set by the config (not its default), chooses what an Atari game's rollouts
    return: with no env played from frames it would be accepted and change nothing."""
    if return_set and not atari_games(config):
        raise ConfigError(f"config key 'atari.return': set, but envs {config['envs']} name no Atari game (atari-<Game>) "
                          f"nor a discrete Gymnasium env of frames")


def _check_semantics(config: dict) -> None:
    """Rules across values that JSON schema cannot express."""
    check_envs(config)
    for algo in config["algos"]:
        if algo not in config:
            raise ConfigError(f"config key '{algo}': missing; algos lists {algo!r} but it has no settings")
        section = config[algo]
        points = section["checkpoints"]
        if points != sorted(points):
            raise ConfigError(f"config key '{algo}.checkpoints': must be in increasing order, got {points}")
        if points[-1] > section["total_steps"]:
            raise ConfigError(
                f"config key '{algo}.checkpoints': {points[-1]} is beyond {algo}.total_steps={section['total_steps']}"
            )
        _check_distinct_checkpoints(algo, section)
        if "warmup_steps" in section and section["warmup_steps"] >= section["total_steps"]:
            raise ConfigError(f"config key '{algo}.warmup_steps': must be below {algo}.total_steps")
        if (section.get("runs") or 0) > len(config["seeds"]):
            raise ConfigError(f"config key '{algo}.runs': {section['runs']} runs, but seeds lists {len(config['seeds'])}")
        if "num_envs" in section and (section["num_envs"] * section["unroll_length"]) % section["num_minibatches"]:
            raise ConfigError(f"config key '{algo}.num_minibatches': must divide {algo}.num_envs * {algo}.unroll_length")
    resolve_choices(config)
    check_study_envs(config)
    a1 = config["algorithm1"]
    if a1["algo"] is not None and study_envs(config, "algorithm1"):
        available = len(config["seeds"]) * len(config[a1["algo"]]["checkpoints"])
        if a1["policies"] > available:
            raise ConfigError(f"config key 'algorithm1.policies': {a1['policies']} starting policies per env, but "
                              f"{a1['algo']} has {available} per env (seeds x checkpoints)")
    if "td3" in config["algos"] and study_envs(config):  # Figure 10 and behaviour cloning: Brax studies
        _check_td3_studies(config)
    _check_landscape_policies(config)
    fig2 = config["figures"]["figure2"]["env"]
    if fig2 not in config["envs"]:
        raise ConfigError(f"config key 'figures.figure2.env': {fig2!r} is not in envs {config['envs']}")


def _check_distinct_checkpoints(algo: str, section: dict) -> None:
    """A run stops for a checkpoint only between two pieces of work (training.job.step_unit: a
    PPO iteration of num_envs x unroll_length env steps, a TD3 delay cycle): two checkpoints in
    one piece would be one file, and the job would fail at its end, looking for the other."""
    if "num_envs" in section:
        unit, what = section["num_envs"] * section["unroll_length"], "iteration (num_envs x unroll_length)"
    else:
        unit, what = section.get("policy_delay", 1), "update cycle (policy_delay)"
    seen: dict[int, int] = {}
    for step in section["checkpoints"]:
        end = unit * -(-step // unit)
        if end in seen:
            raise ConfigError(f"config key '{algo}.checkpoints': {seen[end]} and {step} fall in the same {what} of "
                              f"{unit} env steps, so they would be one checkpoint")
        seen[end] = step


def _check_landscape_policies(config: dict) -> None:
    """landscape.policies names checkpoints that the config trains (else the landscape jobs would
    fail only after all training and sampling)."""
    chosen, algo = config["landscape"]["policies"], config["landscape"]["algo"]
    for role, ref in (chosen or {}).items():
        if ref["seed"] not in config["seeds"]:
            raise ConfigError(f"config key 'landscape.policies.{role}.seed': {ref['seed']} is not in seeds "
                              f"{config['seeds']}")
        if ref["step"] not in config[algo]["checkpoints"]:
            raise ConfigError(f"config key 'landscape.policies.{role}.step': {ref['step']} is not a checkpoint of "
                              f"{algo} ({algo}.checkpoints {config[algo]['checkpoints']})")


def kept_states(td3: dict) -> int:
    """How many start states a TD3 run keeps: one every td3.state_every transitions."""
    return -(-td3["total_steps"] // td3["state_every"])


def _check_td3_studies(config: dict) -> None:
    """Figure 10 and behaviour cloning take the first seeds and some checkpoints of TD3's runs."""
    td3, n_seeds = config["td3"], len(config["seeds"])
    for section in ("start_states", "behaviour_cloning"):
        if config[section]["seeds"] > n_seeds:
            raise ConfigError(f"config key '{section}.seeds': {config[section]['seeds']} TD3 runs, but seeds lists "
                              f"{n_seeds}")
    bc = config["behaviour_cloning"]
    if bc["teachers"] > len(td3["checkpoints"]):
        raise ConfigError(f"config key 'behaviour_cloning.teachers': {bc['teachers']} teachers per run, but td3 has "
                          f"{len(td3['checkpoints'])} checkpoints")
    if bc["steps"] % bc["logs"]:
        raise ConfigError(f"config key 'behaviour_cloning.logs': {bc['logs']} must divide behaviour_cloning.steps "
                          f"({bc['steps']}), so clones are logged at equal intervals")
    if td3["state_every"] == 0:
        raise ConfigError("config key 'td3.state_every': 0 keeps no start states, but Figure 10 needs them")
    stored = kept_states(td3)
    if (config["start_states"]["states"] or 0) > stored:
        raise ConfigError(f"config key 'start_states.states': {config['start_states']['states']} start states, but "
                          f"td3 keeps {stored} (total_steps / state_every)")


def algo_seeds(config: dict, algo: str) -> list[int]:
    """The seeds a learner trains: every one, or the first <algo>.runs (the paper ran 5 Atari
    runs beside 20 of each Brax learner)."""
    runs = config[algo].get("runs")
    return list(config["seeds"][:runs] if runs else config["seeds"])


def seed_blocks(config: dict, algo: str) -> list[tuple[int, ...]]:
    """A learner's seeds grouped into training jobs of config train.seeds_per_job (in config order)."""
    seeds, n = algo_seeds(config, algo), config["train"]["seeds_per_job"]
    return [tuple(seeds[i : i + n]) for i in range(0, len(seeds), n)]


def block_name(block: tuple[int, ...]) -> str:
    """A job's name for its seed block: 'seed3' or 'seeds3-4-5'."""
    return f"seed{block[0]}" if len(block) == 1 else "seeds" + "-".join(map(str, block))


