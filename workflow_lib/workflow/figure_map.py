"""docs/figures.md, generated from the workflow itself: for each figure and table of the paper, its
target, the rule that draws it, that rule's script, the library functions the script calls and the
config sections it reads. `python -m workflow_lib.workflow.figure_map > docs/figures.md` writes it;
tests/test_figure_map.py fails when the file is stale or a target has no row."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

from workflow_lib.workflow.envsets import ATARI_FIGURES, FIGURE_STUDIES
from workflow_lib.workflow.targets import FIGURE_TARGETS, MAP_FIGURE_ENVS, MAP_FIGURES

ROOT = Path(__file__).resolve().parents[2]
# A rule's block: from its header to the next line that is not indented.
_RULE = re.compile(r"^(?:rule|checkpoint) (\w+):\n(.*?)(?=^\S|\Z)", re.M | re.S)
_FIELD = re.compile(r"^    (\w+):", re.M)
# Where the map figures' and the learning curves' settings live.
_SECTIONS = {"figure2": ("figures.figure2", "figures.purd_map", "purd", "stats"),
             "learning_curves": ("figures.learning_curves",)}
_PLUMBING = ("workflow.runtime.", "core.tables.", "workflow.inputs.")
HEADER = """# Every figure to its code

Generated from the workflow by `python -m workflow_lib.workflow.figure_map > docs/figures.md`
(`tests/test_figure_map.py` fails when it is stale). Each row: the paper's figure or table, the
target that builds it (`snakemake <target> --cores N`), the rule that draws it (in `rules/`), that
rule's script (in `scripts/`), the library functions the script calls, and the config sections its
jobs read (`schemas/config.schema.yaml` documents each key). What each quantity is: `protocol.md`.

"""


def rule_blocks(root: Path = ROOT) -> dict[str, str]:
    """Every rule of the workflow's rules files: name -> its text."""
    blocks = {}
    for path in sorted((root / "rules").glob("*.smk")):
        blocks.update({m.group(1): m.group(2) for m in _RULE.finditer(path.read_text())})
    return blocks


def field(block: str, name: str) -> str:
    """The text of one field (output, params, ...) of a rule's block."""
    starts = {m.group(1): m for m in _FIELD.finditer(block)}
    if name not in starts:
        return ""
    following = [m.start() for m in _FIELD.finditer(block) if m.start() > starts[name].start()]
    return block[starts[name].end(): following[0] if following else len(block)]


def draws(block: str, figure: str) -> bool:
    """Whether a rule's output is the figure: named literally, or as {name} allowed to be it."""
    output = field(block, "output")
    if re.search(rf'layout\.figure\("{figure}(?:_|")', output):
        return True
    names = re.search(r'name="([\w|]+)"', field(block, "wildcard_constraints"))
    return bool(names) and figure in names.group(1).split("|") and 'layout.figure("{name}"' in output


def figure_rule(figure: str, blocks: dict[str, str]) -> str:
    """The rule that draws a figure (a PURD map's: purd_map)."""
    if figure in MAP_FIGURES:
        return "purd_map"
    found = [name for name, block in blocks.items() if draws(block, figure)]
    if len(found) != 1:
        raise LookupError(f"{figure}: {len(found)} rules draw it ({found})")
    return found[0]


def script_of(block: str) -> str:
    match = re.search(r'"\.\./scripts/(\w+\.py)"', field(block, "script"))
    return match.group(1) if match else ""


def library_calls(script: str, root: Path = ROOT) -> list[str]:
    """module.function of each library function the script calls, but the job's setup, its input
    files and tables (every script's)."""
    tree = ast.parse((root / "scripts" / script).read_text())
    functions, modules = [], {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("workflow_lib."):
            package = node.module.removeprefix("workflow_lib.")
            for alias in node.names:
                name = f"{package}.{alias.name}"
                if (root / "workflow_lib" / Path(*name.split("."))).with_suffix(".py").is_file():
                    modules[alias.asname or alias.name] = name
                else:
                    functions.append(name)
    used = {f"{modules[node.value.id]}.{node.attr}" for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules}
    return [call for call in [*functions, *sorted(used)] if not call.startswith(_PLUMBING)]


def config_sections(figure: str, block: str) -> list[str]:
    """The config sections the rule's jobs read, and the figure's study's."""
    found = set(re.findall(r'config\["(\w+)"\]\["(\w+)"\]', block))
    sections = {f"{a}.{b}" if a == "figures" else a for a, b in found}
    sections |= set(re.findall(r'rule_params\.section\(config, "(\w+)"', block))
    study = "atari" if figure in ATARI_FIGURES else FIGURE_STUDIES.get(figure)
    sections |= {study} if study else set()
    sections |= set(_SECTIONS.get("figure2" if figure in MAP_FIGURES else figure, ()))
    return sorted(sections)


def title(figure: str) -> str:
    if figure == "learning_curves":
        return "Learning curves"
    if figure.startswith("table"):
        return f"Table {figure.removeprefix('table')}"
    number = int(figure.removeprefix("figure"))
    env = MAP_FIGURE_ENVS.get(figure)
    return f"Figure {number}" + (f" ({env})" if env else "")


def paper_order(target: str) -> tuple[bool, int]:
    """Figures by number, then tables by number."""
    return target.startswith("table"), int(re.sub(r"\D", "", target))


def rows(root: Path = ROOT) -> list[dict]:
    """One row per figure target, in the paper's order (tables after figures)."""
    blocks = rule_blocks(root)
    figures = sorted((*MAP_FIGURES, *FIGURE_TARGETS), key=paper_order)
    out = []
    for figure in ["learning_curves", *figures]:
        rule = figure_rule(figure, blocks)
        script = script_of(blocks[rule])
        out.append({"figure": title(figure), "target": figure, "rule": rule, "script": script,
                    "library": library_calls(script, root), "config": config_sections(figure, blocks[rule])})
    return out


def markdown(root: Path = ROOT) -> str:
    lines = ["| figure | target | rule | script | library | config |", "|---|---|---|---|---|---|"]
    for row in rows(root):
        library = "<br>".join(f"`{call}`" for call in row["library"])
        config = ", ".join(f"`{section}`" for section in row["config"])
        lines.append(f"| {row['figure']} | `{row['target']}` | `{row['rule']}` | `{row['script']}` | {library} | {config} |")
    return HEADER + "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown())
