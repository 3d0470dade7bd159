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
