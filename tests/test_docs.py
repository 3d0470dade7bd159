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
