# Appendix experiments on TD3 runs: PURDs from stored training states instead of s_I (Figure 10),
# and behaviour cloning of TD3 policies (Figure 22 and its table).


rule start_states:
    input:
        unpack(jobs.start_states_inputs),
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
        settings=rule_params.purd_settings(config, "td3", config["start_states"]),
        states=config["start_states"]["states"],
    script:
        "../scripts/start_states.py"


rule start_states_table:
    input:
        layout.start_states_files(config),
    output:
        layout.table("start_states"),
    log:
        layout.log("tables", "start_states"),
    conda:
        "../envs/jax.yaml"
    params:
        stats=rule_params.stats_settings(config),
    script:
        "../scripts/start_states_table.py"


rule bc_train:
    input:
        checkpoints=jobs.bc_teacher_checkpoints,
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
        section=rule_params.section(config, "behaviour_cloning", ("steps", "logs", "learning_rate", "minibatch")),
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
        settings=rule_params.purd_settings(config, "bc", config["behaviour_cloning"]),
    script:
        "../scripts/bc_purd.py"


rule bc_table:
    input:
        purds=layout.bc_purds(config, study_envs(config)),
        stats=layout.stats_tables(config, study_envs(config), ["td3"]),
    output:
        layout.table("behaviour_cloning"),
    log:
        layout.log("tables", "behaviour_cloning"),
    conda:
        "../envs/jax.yaml"
    params:
        stats=rule_params.stats_settings(config),
    script:
        "../scripts/bc_table.py"


# The figures: returns from stored start states (Figure 10), behaviour cloning (Figure 22, its table).
rule start_states_figure:
    input:
        table=layout.table("start_states"),
        stats=layout.stats_tables(config, config["figures"]["figure10"]["envs"], ["td3"]),
    output:
        report(layout.figure("figure10"), caption="../report/figure10.rst", category="Appendix"),
    log:
        layout.log("figures", "figure10"),
    conda:
        "../envs/jax.yaml"
    params:
        envs=config["figures"]["figure10"]["envs"],
    script:
        "../scripts/figure10.py"


rule bc_figure:
    input:
        layout.table("behaviour_cloning"),
    output:
        correlations=targets.BC_TABLES["correlations"],
        ltp=targets.BC_TABLES["ltp"],
        figure=report(layout.figure("figure22"), caption="../report/figure22.rst", category="Appendix"),
        page=report(layout.figure("table_bc", "html"), caption="../report/table_bc.rst", category="Appendix"),
    log:
        layout.log("figures", "figure22"),
    conda:
        "../envs/jax.yaml"
    params:
        resamples=config["stats"]["resamples"],
        confidence=config["stats"]["confidence"],
    script:
        "../scripts/figure22.py"
