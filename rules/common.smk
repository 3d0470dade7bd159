# Config validation (first thing) and the input functions the rules share.
import functools
import sys

from workflow_lib.config import ConfigError, block_name, seed_blocks, validate_config
from workflow_lib import layout

try:
    config.update(validate_config(config))
except ConfigError as err:
    sys.exit(f"Invalid config: {err}")


def all_checkpoints():
    """Every checkpoint of every (env, algo, seed) in the config."""
    return layout.all_checkpoints(config)


def eval_tables():
    """The per-seed evaluation tables written during training."""
    return layout.all_eval_tables(config)


def train_job(algo, seeds):
    """params.job of a training rule: the TrainJob fields for its env wildcard."""
    return functools.partial(layout.train_job_fields, config, algo=algo, seeds=seeds)
