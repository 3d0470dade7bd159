# Training: one job per (env, algo, block of seeds); outputs are single checkpoints.
# A rule per (algo, seed block) because a block's outputs name its seeds and the algo's
# checkpoint steps literally; the env stays a wildcard. One thread by default: the jobs' small
# matmuls run faster side by side, a job to a core, than one job over all cores (runtime.claim_cores);
# a profile can give them more (set-threads).


wildcard_constraints:
    env="|".join(config["envs"]),


for _algo in config["algos"]:
    for _block in seed_blocks(config):
        _outs = layout.job_outputs(config, "{env}", _algo, _block)

        rule:
            name:
                f"train_{_algo}_{block_name(_block)}"
            output:
                checkpoints=_outs["checkpoints"],
                replay=_outs["replay"],
                states=_outs["states"],
                evals=_outs["evals"],
            log:
                f"logs/train/{{env}}/{_algo}/{block_name(_block)}.log",
            benchmark:
                f"benchmarks/train/{{env}}/{_algo}/{block_name(_block)}.tsv"
            conda:
                "../envs/jax.yaml"
            threads: 1
            resources:
                gpu=config["resources"]["gpu"],
                runtime=requests.train_runtime(config, _algo),
                mem_mb=requests.train_mem(config, _algo, len(_block)),
            params:
                job=train_job(_algo, _block),
                work_dir=layout.work_dir("{env}", _algo, block_name(_block)),
            script:
                "../scripts/train.py"
