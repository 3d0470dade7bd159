# Appendix experiments on TD3 runs: PURDs from stored training states instead of s_I (Figure 10),
# and behaviour cloning of TD3 policies (Figure 22 and its table).


rule start_states:
    input:
        unpack(start_states_inputs),
    output:
        layout.start_states_file("{env}", "{seed}"),
    log:
        layout.log("start_states", "{env}", "seed{seed}"),
    benchmark:
        layout.benchmark("start_states", "{env}", "seed{seed}")
    conda:
        "../envs/jax.yaml"
    threads: config["resources"]["purd_threads"]
    resources:
        gpu=config["resources"]["gpu"],
        runtime=requests.start_states_runtime(config),
        mem_mb=requests.purd_mem(config, "td3"),
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
        layout.table("start_states"),
    log:
        layout.log("tables", "start_states"),
    conda:
        "../envs/jax.yaml"
    params:
        stats=stats_settings(),
    script:
        "../scripts/start_states_table.py"


rule bc_train:
    input:
        checkpoints=bc_teacher_checkpoints,
        replay=layout.replay_path("{env}", "td3", "{seed}"),
    output:
        layout.bc_file("{env}", "{seed}", "clones"),
    log:
        layout.log("behaviour_cloning", "{env}", "seed{seed}_train"),
    benchmark:
        layout.benchmark("behaviour_cloning", "{env}", "seed{seed}_train")
    conda:
        "../envs/jax.yaml"
    threads: 1
    resources:
        gpu=config["resources"]["gpu"],
        runtime=requests.bc_train_runtime(config),
        mem_mb=requests.purd_mem(config, "td3"),
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
        layout.log("behaviour_cloning", "{env}", "seed{seed}_purd"),
    benchmark:
        layout.benchmark("behaviour_cloning", "{env}", "seed{seed}_purd")
    conda:
        "../envs/jax.yaml"
    threads: config["resources"]["purd_threads"]
    resources:
        gpu=config["resources"]["gpu"],
        runtime=requests.bc_purd_runtime(config),
        mem_mb=requests.purd_mem(config, "td3"),
    params:
        settings=purd_settings("bc", config["behaviour_cloning"]),
    script:
        "../scripts/bc_purd.py"


rule bc_table:
    input:
        purds=[
            layout.bc_file(env, seed, "purd")
            for env in study_envs(config)
            for seed in layout.td3_seeds(config, "behaviour_cloning")
        ],
        stats=layout.stats_tables(config, study_envs(config), ["td3"]),
    output:
        layout.table("behaviour_cloning"),
    log:
        layout.log("tables", "behaviour_cloning"),
    conda:
        "../envs/jax.yaml"
    params:
        stats=stats_settings(),
    script:
        "../scripts/bc_table.py"
