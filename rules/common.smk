# Config validation (first thing) and the names the rules share. What a rule computes lives in
# the library: its params in rule_params (from the config, at parsing), its functions of wildcards
# in one RuleInputs (inputs, params and resources of a job), the targets in targets.
import re
import sys
from pathlib import Path

from workflow_lib.agents.registry import ALGORITHMS
from workflow_lib.workflow import blocks, layout, rule_params, targets
from workflow_lib.workflow import resources as requests
from workflow_lib.workflow.config import ConfigError, load_config_file, load_schema, validate_config
from workflow_lib.workflow.envsets import atari_games, study_envs
from workflow_lib.workflow.rule_inputs import RuleInputs

# The schema beside this Snakefile: an installed workflow_lib (pip install .) has no schemas/ of its own.
SCHEMA = Path(workflow.main_snakefile).parent / "schemas" / "config.schema.yaml"

try:
    for _path in workflow.configfiles:  # Snakemake read them already; this names a duplicate key's line
        load_config_file(_path)
    config.update(validate_config(config, load_schema(SCHEMA)))
except ConfigError as err:
    sys.exit(f"Invalid config: {err}")
requests.resolve_gpus(config, local=workflow.local_exec)

jobs = RuleInputs(config, checkpoints)


# Every wildcard of every rule, in one place: an env is one of the config's envs, an algo one of
# the learners, seeds and steps are numbers.
wildcard_constraints:
    env="|".join(map(re.escape, config["envs"])),
    algo="|".join(ALGORITHMS),
    seed=r"\d+",
    step=r"\d+",
