# Training: one job per (env, algo, block of seeds); outputs are single checkpoints.
# A rule per job, every path literal (workflow_lib/workflow/blocks.py says why: a block's seeds
# and the algo's checkpoint steps are in its file names, and literal outputs keep Snakemake's
# lookup of a file's producer independent of the seed count). One thread by default: the jobs'
# small matmuls run faster side by side, a job to a core, than one job over all cores
# (runtime.claim_cores); a profile can give them more (set-threads). First in the queue (priority):
# the longest jobs, on which every study waits.


# Two loops, as before the rules were per env: Snakemake records a script rule's "code" as its
# script line, indentation included, and a change there would retrain every existing run.
for _algo in config["algos"]:
    for _block in blocks.train_blocks(config, _algo):
        _outs = blocks.outputs(config, _block)

        rule:
            name:
                _block.rule
            output:
                checkpoints=_outs["checkpoints"],
                replay=_outs["replay"],
                states=_outs["states"],
                evals=_outs["evals"],
            log:
                blocks.log_path(_block),
            benchmark:
                blocks.benchmark_path(_block)
            priority: 2
            conda:
                "../envs/jax.yaml"
            threads: 1
            resources:
                gpu=config["resources"]["gpu"],
                runtime=requests.train_runtime(config, _algo, _block.env),
                mem_mb=requests.train_mem(config, _algo, len(_block.seeds)),
            params:
                job=blocks.job_fields(config, _block),
                work_dir=blocks.work_dir(_block),
            script:
                "../scripts/train.py"
