"""A venv in which exactly the distributions of `pip install workflow-lib[<extras>]` can be imported.

What a user's `python3 do.py run` installs for a config is the project with some extras; the test
suite installs every extra, so a module that needs a distribution only another extra brings (ale-py's
vector interface needs gymnasium, which came with the `host` extra: issue 31) works in the tests and
fails for the user. Installing one real venv per extras set would cost gigabytes and minutes each;
this builds the same import surface in seconds from the suite's own venv, at the same versions:

- the closure of workflow-lib's requirements with those extras, read from the installed metadata
  (markers evaluated as pip does, the extras of each requirement followed), plus pip and
  setuptools, which a venv has from the start (do.py's `venv.create(with_pip=True)`);
- a new venv whose .pth file adds the suite's site-packages as a site directory (its editable
  install and do.py's config hook included), then puts a finder first on `sys.meta_path` that
  refuses every top-level module of an installed distribution outside the closure, with the
  message a missing package gives. A module no distribution owns (the standard library) is left
  alone.
"""

from __future__ import annotations

import subprocess
import sysconfig
import venv
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT = "workflow-lib"
IN_EVERY_VENV = ("pip", "setuptools")

_FINDER = '''"""Written by tests/extras_venv.py: refuses the modules of distributions this venv lacks."""
import sys

REFUSED = frozenset({refused!r})


class RefuseMissingDistributions:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in REFUSED:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None


sys.meta_path.insert(0, RefuseMissingDistributions())
'''


def requirement_closure(extras: set[str], project: str = PROJECT) -> set[str]:
    """Canonical names of the distributions `pip install <project>[extras]` installs."""
    wanted: dict[str, set[str]] = {}
    todo = [(project, set(extras))]
    while todo:
        name, asked = todo.pop()
        key = canonicalize_name(name)
        if key in wanted and asked <= wanted[key]:
            continue
        wanted[key] = wanted.get(key, set()) | asked
        for text in metadata.distribution(name).requires or []:
            requirement = Requirement(text)
            marker = requirement.marker
            if marker is None or any(marker.evaluate({"extra": extra}) for extra in wanted[key] | {""}):
                todo.append((requirement.name, set(requirement.extras)))
    return set(wanted) | set(IN_EVERY_VENV)


def refused_modules(allowed: set[str]) -> set[str]:
    """Top-level modules that only distributions outside `allowed` provide."""
    owners = metadata.packages_distributions()
    return {module for module, dists in owners.items()
            if not any(canonicalize_name(d) in allowed for d in dists)}


def make_extras_venv(dest: Path, extras: set[str]) -> Path:
    """The venv at dest for the project with `extras`; returns its python."""
    venv.create(dest, with_pip=False)
    python = dest / "bin" / "python"
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    purelib = Path(subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True).stdout.strip())
    refused = sorted(refused_modules(requirement_closure(extras)))
    (purelib / "_refuse_missing_distributions.py").write_text(_FINDER.format(refused=refused))
    suite_site = sysconfig.get_paths()["purelib"]
    # .pth lines that start with `import` run at startup: the suite's site directory first (its
    # own .pth files then run unrefused, as they would where the packages are installed).
    (purelib / "zz_extras_only.pth").write_text(
        f"import site; site.addsitedir({suite_site!r}); import _refuse_missing_distributions\n")
    return python
