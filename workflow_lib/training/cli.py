"""Run a TrainJob outside Snakemake: python -m workflow_lib.training.cli JOB.json OUT_DIR [SNAPSHOT_S]."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from workflow_lib.training.job import TrainJob
from workflow_lib.training.trainer import Trainer


def main(argv: list[str] | None = None) -> None:
    """Run a TrainJob outside Snakemake: python -m workflow_lib.training.cli JOB.json OUT_DIR [SNAPSHOT_S]."""
    argv = sys.argv[1:] if argv is None else argv
    fields = json.loads(Path(argv[0]).read_text())
    job = TrainJob.from_fields(fields)
    out = Path(argv[1])
    logging.basicConfig(level=logging.WARNING)
    log = logging.getLogger("train")
    log.setLevel(logging.INFO)
    trainer = Trainer(job, out / "_work", log)
    carry, rows = trainer.run(snapshot_every_s=float(argv[2]) if len(argv) > 2 else 300.0)
    trainer.publish(carry, rows, *output_paths(job, out, trainer.algo.off_policy))


def output_paths(job: TrainJob, out: Path, off_policy: bool) -> tuple[dict, dict, dict, dict]:
    """Trainer.publish's (checkpoint, replay, eval, states) paths of a job under `out`."""
    return (
        {(s, t): out / f"seed{s}" / f"step{t}.msgpack" for s in job.seeds for t in job.checkpoints},
        {s: out / f"seed{s}" / "replay.msgpack" for s in job.seeds} if off_policy else {},
        {s: out / f"seed{s}" / "eval.parquet" for s in job.seeds},
        {s: out / f"seed{s}" / "states.msgpack" for s in job.seeds} if off_policy and job.state_every else {},
    )


if __name__ == "__main__":
    main()
