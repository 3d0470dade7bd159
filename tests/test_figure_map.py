"""docs/figures.md is the workflow's own map of every figure to its code, and up to date."""

from pathlib import Path

import pytest

from workflow_lib.workflow import figure_map, targets

ROOT = Path(__file__).resolve().parent.parent


def test_docs_figures_is_generated_from_the_workflow_as_it_is():
    assert (ROOT / "docs" / "figures.md").read_text() == figure_map.markdown(), (
        "docs/figures.md is stale: python -m workflow_lib.workflow.figure_map > docs/figures.md")


def test_every_target_has_a_row_with_its_rule_script_and_library():
    rows = {row["target"]: row for row in figure_map.rows()}
    assert set(rows) == {"learning_curves", *targets.MAP_FIGURES, *targets.FIGURE_TARGETS}
    blocks = figure_map.rule_blocks()
    for target, row in rows.items():
        assert row["rule"] in blocks and (ROOT / "scripts" / row["script"]).is_file(), target
        assert row["library"], f"{target}: its script calls no library function"
    assert rows["figure19"]["rule"] == "atari_btp_figure" and rows["figure6"]["script"] == "figure6.py"
    assert "analysis.summaries.ltp_reduction" in rows["figure7"]["library"]


def test_a_figure_no_rule_draws_is_an_error(tmp_path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "a.smk").write_text('rule a:\n    output:\n        layout.figure("figure5"),\n')
    blocks = figure_map.rule_blocks(tmp_path)
    assert figure_map.figure_rule("figure5", blocks) == "a"
    with pytest.raises(LookupError, match="figure7: 0 rules draw it"):
        figure_map.figure_rule("figure7", blocks)
