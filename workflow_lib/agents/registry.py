"""The registry of learners: name -> module, hyperparameter class and kind."""

from __future__ import annotations

import dataclasses
from types import ModuleType

from workflow_lib.agents import bc
from workflow_lib.agents import ppo
from workflow_lib.agents import sac
from workflow_lib.agents import td3


@dataclasses.dataclass(frozen=True)
class Algorithm:
    """An algorithm module with `init`, `update`, `policy` and, if off-policy, `explore`."""

    name: str
    module: ModuleType
    config_cls: type
    off_policy: bool

    def make_config(self, values: dict):
        """The hyperparameter dataclass from config values (unknown keys are ignored here)."""
        fields = {f.name for f in dataclasses.fields(self.config_cls)}
        kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items() if k in fields}
        return self.config_cls(**kwargs)


ALGORITHMS = {
    "td3": Algorithm("td3", td3, td3.TD3Config, True),
    "sac": Algorithm("sac", sac, sac.SACConfig, True),
    "ppo": Algorithm("ppo", ppo, ppo.PPOConfig, False),
    # Not trained by the training rules: clones of TD3 policies (behaviour_cloning), registered so
    # that the PURD engine samples them like any learner (their update: one more BC step).
    "bc": Algorithm("bc", bc, bc.BCConfig, True),
}
