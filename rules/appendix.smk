# Appendix experiments on TD3 runs: PURDs from stored training states instead of s_I (Figure 10),
# and behaviour cloning of TD3 policies (Figure 22 and its table).


rule start_states:
    input:
        unpack(lambda w: layout.start_states_inputs(config, w.env, int(w.seed))),
    output:
        layout.start_states_file("{env}", "{seed}"),
    log:
        "logs/start_states/{env}/seed{seed}.log",
    conda:
        "../envs/jax.yaml"
    threads: config["resources"]["purd_threads"]
    resources:
        gpu=config["resources"]["gpu"],
        runtime=lambda w: requests.start_states_runtime(config),
        mem_mb=lambda w: requests.purd_mem(config, "td3"),
    params:
        settings=purd_settings("td3", config["start_states"]),
        states=config["start_states"]["states"],
    script:
        "../scripts/start_states.py"


rule start_states_table:
    input:
        [
            layout.start_states_file(env, seed)
            for env in config["figures"]["figure10"]["envs"]
            for seed in layout.td3_seeds(config, "start_states")
        ],
    output:
        "results/tables/start_states.parquet",
    log:
        "logs/tables/start_states.log",
    conda:
        "../envs/jax.yaml"
    params:
        stats=config["stats"],
    script:
        "../scripts/start_states_table.py"


rule bc_train:
    input:
        checkpoints=lambda w: [layout.checkpoint_path(w.env, "td3", w.seed, t) for t in layout.bc_teachers(config)],
        replay=layout.replay_path("{env}", "td3", "{seed}"),
    output:
        layout.bc_file("{env}", "{seed}", "clones"),
    log:
        "logs/behaviour_cloning/{env}/seed{seed}_train.log",
    conda:
        "../envs/jax.yaml"
    threads: 1
    resources:
        gpu=config["resources"]["gpu"],
        runtime=lambda w: requests.bc_train_runtime(config),
        mem_mb=lambda w: requests.purd_mem(config, "td3"),
    params:
        section={k: config["behaviour_cloning"][k] for k in ("steps", "logs", "learning_rate", "minibatch")},
    script:
        "../scripts/bc_train.py"


rule bc_purd:
    input:
        clones=layout.bc_file("{env}", "{seed}", "clones"),
        replay=layout.replay_path("{env}", "td3", "{seed}"),
    output:
        layout.bc_file("{env}", "{seed}", "purd"),
    log:
        "logs/behaviour_cloning/{env}/seed{seed}_purd.log",
    conda:
        "../envs/jax.yaml"
    threads: config["resources"]["purd_threads"]
    resources:
        gpu=config["resources"]["gpu"],
        runtime=lambda w: requests.bc_purd_runtime(config),
        mem_mb=lambda w: requests.purd_mem(config, "td3"),
    params:
        settings=purd_settings("bc", config["behaviour_cloning"]),
    script:
        "../scripts/bc_purd.py"


rule bc_table:
    input:
        purds=[
            layout.bc_file(env, seed, "purd")
            for env in config["envs"]
            for seed in layout.td3_seeds(config, "behaviour_cloning")
        ],
        stats=[layout.stats_table(env) for env in config["envs"]],
    output:
        "results/tables/behaviour_cloning.parquet",
    log:
        "logs/tables/behaviour_cloning.log",
    conda:
        "../envs/jax.yaml"
    params:
        stats=config["stats"],
    script:
        "../scripts/bc_table.py"
