"""Snakemake script of the bc_train rule: clone each teacher checkpoint of one TD3 run on the data
logged before it, with the teacher's actions; every logged clone goes to one file."""

import jax
import jax.numpy as jnp

from workflow_lib.agents import bc
from workflow_lib.training.loops import stack
from workflow_lib.workflow.runtime import claim_cores, compilation_cache, job_logger
from workflow_lib.training.trainer import load_checkpoint, load_replay

log = job_logger("bc_train", snakemake.log[0])
log.info("cores %s", claim_cores(snakemake.threads))
compilation_cache(snakemake.config["compilation_cache"])
env, seed = snakemake.wildcards.env, int(snakemake.wildcards.seed)
teachers = [load_checkpoint(p) for p in snakemake.input.checkpoints]
_, stored = load_replay(snakemake.input.replay)
cfg = bc.config_of(snakemake.params.section, teachers[0][0]["hyperparameters"])
steps = [meta["step"] for meta, _ in teachers]
keys = [jax.random.split(bc.clone_key(env, seed, step)) for step in steps]  # (init, training) per teacher
fresh = [bc.init(k[0], state["agent"], state["buffer_size"], cfg) for k, (_, state) in zip(keys, teachers)]
log.info("%s td3 seed %d: clones of teachers %s on their prefixes, %d BC steps, %d logged", env, seed, steps,
         cfg.steps, cfg.logs)
logged = bc.train_clones(stack(fresh), stored, jnp.stack([k[1] for k in keys]), log)
obs_size, action_size = stored.data.obs.shape[-1], stored.data.action.shape[-1]
meta = {"env": env, "backend": teachers[0][0]["backend"], "seed": seed, "teachers": steps, "obs_size": obs_size,
        "action_size": action_size, "episode_length": teachers[0][0]["episode_length"],
        "bc_steps": bc.logged_steps(cfg)}
bc.save_clones(snakemake.output[0], meta, logged)
log.info("done")
