"""Snakemake reads the `--configfile` files before the Snakefile runs, with messages that name
neither the file nor the line ("Config file is not valid JSON or YAML"), a bare traceback for a
missing file, and a key given twice silently dropped. This hook has it read them with
config.load_config_file instead, whose one-line errors name the file and the line.

It is installed by a line in a .pth file of the project's virtual environment (do.py writes it,
PTH_LINE), which Python runs at start-up: `install` only adds an import hook, so that nothing is
imported until Snakemake itself imports `snakemake.common.configfile`, whose `load_configfile`
the hook then replaces (for the `--configfile` files and the Snakefile's own `configfile:`). (Snakemake has no plugin interface for reading config files.) Outside
that environment, Snakemake's own messages apply and the Snakefile still refuses duplicate keys.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys

TARGET = "snakemake.common.configfile"  # the module of load_configfile, before anything imports the name
PTH_NAME = "zz_return_landscapes_config_files.pth"  # after the editable install's own .pth
PTH_LINE = "import workflow_lib.workflow.snakemake_hook as hook; hook.install()\n"


def load_configfile(path):
    """Snakemake's load_configfile, with config.load_config_file's checks and messages. An error
    ends the run with its one line (SystemExit: Snakemake would print an exception raised here
    with a line of this file's traceback), as the Snakefile's own config check does."""
    from workflow_lib.workflow.config import ConfigError, load_config_file

    try:
        return load_config_file(path)
    except ConfigError as err:
        sys.exit(f"Invalid config: {err}")


class _Finder(importlib.abc.MetaPathFinder):
    """Finds TARGET as usual, then patches it once its module has run."""

    def find_spec(self, name, path, target=None):
        if name != TARGET:
            return None
        sys.meta_path.remove(self)  # find the real spec below, once
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        run_module = spec.loader.exec_module

        def exec_module(module):
            run_module(module)
            module.load_configfile = load_configfile

        spec.loader.exec_module = exec_module
        return spec


def install() -> None:
    if TARGET not in sys.modules and not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
