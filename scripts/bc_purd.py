"""Snakemake script of the bc_purd rule: the PURD of every logged clone of one TD3 run, the update
one more BC step on the clone's own dataset (the teacher's replay prefix)."""

import jax
import polars as pl

from workflow_lib.agents import bc
from workflow_lib.studies import purd
from workflow_lib.agents import replay
from workflow_lib.core import tables
from workflow_lib.workflow.runtime import compilation_cache, host_devices, job_logger
from workflow_lib.training.trainer import load_replay

log = job_logger("bc_purd", snakemake.log[0])
compilation_cache(snakemake.config["compilation_cache"])
host_devices(snakemake.threads)
settings = purd.Settings(**snakemake.params.settings)
meta, clones = bc.load_clones(snakemake.input.clones)
_, stored = load_replay(snakemake.input.replay)
data = jax.device_put(stored.data, purd.shardings(settings.batch_size)[0])  # once for all clones, as purd.placed
parts = []
for j, bc_step in enumerate(meta["bc_steps"]):
    for i, teacher_step in enumerate(meta["teachers"]):
        clone = jax.tree.map(lambda x, i=i, j=j: x[j, i], clones)
        policy = purd.Policy(meta["env"], meta["backend"], "bc", meta["seed"], teacher_step, clone,
                             replay.ReplayBuffer(data, clone.dataset_size), max_steps=meta["episode_length"])
        root = jax.random.fold_in(purd.root_key(meta["env"], "bc", meta["seed"], teacher_step, "bc"), j)
        out = purd.sample(policy, "bc", settings, root=root)
        log.info("teacher step %d, clone %d (BC step %d): mean %.1f over %d samples", teacher_step, j, bc_step,
                 out["return"].mean(), settings.n)
        parts.append(purd.to_table(out).with_columns(
            teacher_step=pl.lit(teacher_step, pl.Int64), clone=pl.lit(j, pl.Int64), bc_step=pl.lit(bc_step, pl.Int64)))
identity = {"env": meta["env"], "algo": "bc", "seed": meta["seed"]}
tables.write_parquet(tables.with_identity(pl.concat(parts), identity), snakemake.output[0], snakemake.params.settings)
log.info("done")
