"""Compare two runs' results/ folders file by file: checkpoints byte for byte, tables by content.

  python benchmarks/compare_runs.py BEFORE/results AFTER/results

Prints one line per file (identical, equal content, or how it differs) and a summary; exits 1 if
any checkpoint or table differs. Figures (PNG, HTML) are listed but not judged: matplotlib embeds
nothing run-specific, yet a figure's bytes are not what the refactor promises.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

# Files that were split or renamed on purpose: (before, [after parts]) whose concatenation must equal.
SPLITS = {"tables/purd_stats_{env}.parquet": "tables/purd_stats_{env}_{algo}.parquet"}


def compare(before: Path, after: Path) -> int:
    bad, counts = 0, {"identical": 0, "equal": 0, "differ": 0, "figure": 0, "missing": 0}
    skipped = ("benchmarks/",)
    for path in sorted(p for p in before.rglob("*") if p.is_file()):
        rel = str(path.relative_to(before))
        if rel.startswith(skipped):
            continue
        other = after / rel
        if rel.startswith("tables/purd_stats_") and not other.exists():
            env = rel.removeprefix("tables/purd_stats_").removesuffix(".parquet")
            parts = [after / "tables" / f"purd_stats_{env}_{a}.parquet" for a in ("td3", "sac", "ppo")]
            joined = pl.concat([pl.read_parquet(p) for p in parts if p.exists()])
            same = pl.read_parquet(path).equals(joined)
            print(f"{'equal' if same else 'DIFFER'}: {rel} = concatenation of purd_stats_{env}_{{td3,sac,ppo}}")
            counts["equal" if same else "differ"] += 1
            bad += not same
            continue
        if not other.exists():
            print(f"MISSING after: {rel}")
            counts["missing"] += 1
            bad += 1
            continue
        if path.suffix in (".png", ".html"):
            counts["figure"] += 1
            print(f"figure ({'identical' if path.read_bytes() == other.read_bytes() else 'bytes differ'}): {rel}")
            continue
        if path.read_bytes() == other.read_bytes():
            counts["identical"] += 1
            print(f"identical: {rel}")
        elif path.suffix == ".parquet" and pl.read_parquet(path).equals(pl.read_parquet(other)):
            counts["equal"] += 1
            print(f"equal content: {rel}")
        else:
            counts["differ"] += 1
            bad += 1
            print(f"DIFFER: {rel}")
    print("summary:", ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(compare(Path(sys.argv[1]), Path(sys.argv[2])))
