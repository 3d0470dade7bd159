"""The repository explains itself: docs/protocol.md holds the protocol, and every reference to it
in the code, configs and README names one of its sections; nothing points outside the clone."""

import re

from workflow_run import ROOT

PROTOCOL = ROOT / "docs" / "protocol.md"
SOURCES = [p for pattern in ("workflow_lib/**/*.py", "scripts/*.py", "benchmarks/*.py", "tests/*.py", "rules/*.smk",
                             "schemas/*.yaml", "configs/*.yaml", "config.yaml", "README.md", "Snakefile")
           for p in ROOT.glob(pattern)]
REFERENCE = re.compile(r"""docs/protocol\.md`?,? ["']([^"']+)["']""")


def headings() -> list[str]:
    return [line.lstrip("#").strip() for line in PROTOCOL.read_text().splitlines() if line.startswith("## ")]


def test_nothing_points_at_the_spec_outside_the_clone():
    outside = [str(p.relative_to(ROOT)) for p in SOURCES
               if p.name != "test_docs.py" and re.search(r"\bSPEC\b", p.read_text())]
    assert not outside, outside


def test_every_reference_names_a_section_of_the_protocol():
    names = headings()
    for wanted in ("One update", "Atari", "Statistics", "Interpolation", "Algorithm 1", "DM Control"):
        assert any(name.startswith(wanted) for name in names), wanted
    found = 0
    for path in SOURCES:
        for section in REFERENCE.findall(path.read_text()):
            found += 1
            assert any(name.startswith(section) for name in names), f"{path.relative_to(ROOT)}: no section {section!r}"
    assert found > 20


def test_every_decided_choice_names_the_authors_code_or_the_paper():
    """A DECIDED paragraph says what it follows or departs from: a file of the authors' code, the
    paper, or a library's convention."""
    text = PROTOCOL.read_text()
    for paragraph in re.split(r"\n(?=- |\*\*)", text):
        if "DECIDED" in paragraph:
            assert re.search(r"\.py|authors|paper|Brax|rliable|scipy|SB3|CleanRL", paragraph), paragraph[:200]


README = ROOT / "README.md"
# What "Add your own learner" has the user create; the authors' repository (GitHub).
USER_FILES = ("workflow_lib/agents/ddpg.py", "nathanrahn/return-landscapes")
DOCS = [README, *sorted((ROOT / "docs").glob("*.md"))]


def test_the_readme_is_short():
    assert len(README.read_text().splitlines()) <= 200


def test_every_path_the_readme_and_docs_name_exists():
    for doc in [d for d in DOCS if d != PROTOCOL]:  # the protocol names the authors' files too
        for path in re.findall(r"`([\w.-]+(?:/[\w.*-]+)+/?)[`#(]", doc.read_text()):
            if "*" in path or path.startswith(("results/", "logs/", ".venv")) or path in USER_FILES:
                continue
            places = (ROOT, doc.parent, ROOT / "workflow_lib")  # paths inside the library are written from it
            assert any((place / path).exists() for place in places), f"{doc.name}: {path}"
        for link in re.findall(r"\]\(([^)#]+)", doc.read_text()):
            assert (doc.parent / link).exists(), f"{doc.name}: link {link}"


def test_every_library_name_the_readme_and_docs_give_imports():
    import importlib

    for doc in DOCS:
        for dotted in set(re.findall(r"`(workflow_lib(?:\.\w+)+)", doc.read_text())):
            parts = dotted.split(".")
            for cut in range(len(parts), 0, -1):  # the longest module prefix, then attributes
                try:
                    obj = importlib.import_module(".".join(parts[:cut]))
                    break
                except ModuleNotFoundError:
                    continue
            for attribute in parts[cut:]:
                assert hasattr(obj, attribute), f"{doc.name}: {dotted}"
                obj = getattr(obj, attribute)


def test_every_command_of_the_readme_names_real_targets_and_configs():
    from workflow_lib.workflow import targets

    known = {"all", "learning_curves", *targets.MAP_FIGURES, *targets.FIGURE_TARGETS}
    commands = re.findall(r"`((?:python3 do\.py run|\.venv/bin/snakemake)[^`]*)`", README.read_text())
    assert len(commands) >= 7
    for command in commands:
        words = command.split()
        configs = words[words.index("--configfile") + 1:] if "--configfile" in words else []
        assert all((ROOT / c).is_file() for c in configs), command
        start = 3 if command.startswith("python3") else 1
        options_with_values = {"--cores", "--profile", "--report", "--configfile"}
        names = [w for i, w in enumerate(words[start:], start) if not w.startswith("-") and w not in configs
                 and words[i - 1] not in options_with_values and not w.startswith("map_")]
        assert set(names) <= known, command


def test_every_config_key_the_readme_names_is_in_the_schema():
    import yaml

    schema = yaml.safe_load((ROOT / "schemas" / "config.schema.yaml").read_text())
    found = 0
    for dotted in set(re.findall(r"`([a-z_0-9]+(?:\.[a-z_0-9]+)+)`", README.read_text())):
        first, *rest = dotted.split(".")
        if dotted.endswith((".py", ".smk", ".yaml", ".txt", ".toml")) or first in ("workflow", "snakemake"):
            continue  # a file name, a module path
        if first == "definitions":  # the schema's shared definitions
            assert all(part in schema["definitions"] for part in rest), f"README: schema {dotted}"
            found += 1
            continue
        node = schema["properties"].get(first)
        if node is None:
            continue
        found += 1
        for part in rest:
            node = node.get("properties", {}).get(part)
            assert node is not None, f"README: config key {dotted}"
    assert found >= 2
    assert "workflow.runtime.setup_job" in README.read_text()
    from workflow_lib.workflow import runtime

    assert hasattr(runtime, "setup_job")
