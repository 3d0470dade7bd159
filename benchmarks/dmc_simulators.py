"""Compare dm_control and envpool as simulators for DeepMind Control Suite tasks.

What it measures, for quadruped-walk and humanoid-run (envpool ids
QuadrupedWalk-v1 and HumanoidRun-v1):

1. Throughput on this machine (CPU only):
   * dm_control: one environment stepped in a Python loop with uniform random
     actions (numpy seed 0), 2000 steps, resetting when an episode ends.
   * envpool: sync mode, batch_size = num_envs, num_threads = 2, for
     num_envs in 1, 8, 32; uniform random actions; up to 2000 batched steps
     (fewer if a time budget runs out).  Agent-steps/s = num_envs * batches / s.
2. Whether the two are the same task: observation keys and dimensions (in
   sorted key order, i.e. the order dm_control's dict is usually flattened in),
   action dimension and bounds, control substeps (envpool ``frame_skip`` vs
   dm_control ``n_sub_steps``), episode length with zero actions, and the return
   of a 1000-step zero-action rollout from 10 seeds in each simulator (mean/std).
   Trajectories are not expected to match exactly (different start-state
   randomisation); only the distributions are compared.
3. Peak resident memory (VmHWM) of each measurement, taken from a fresh child
   process per measurement.

Run (needs numpy, dm_control with mujoco<4, envpool):

    MUJOCO_GL=disable /tmp/dmc/venv/bin/python benchmarks/dmc_simulators.py

Output is a set of markdown tables on stdout.  ``--worker`` is internal.
"""

import json
import os
import subprocess
import sys
import time

import numpy as np

TASKS = [("quadruped", "walk", "QuadrupedWalk-v1"),
         ("humanoid", "run", "HumanoidRun-v1")]
DMC_STEPS = 2000
ENVPOOL_BATCHES = 2000
ENVPOOL_NUM_ENVS = [1, 8, 32]
ENVPOOL_TIME_BUDGET_S = 30.0
N_SEEDS = 10
EPISODE_STEPS = 1000


def peak_rss_mb():
    """Return this process's peak resident set size (VmHWM) in MiB."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


def load_dmc(domain, task, seed):
    """Load a dm_control suite environment with a fixed task seed."""
    from dm_control import suite
    return suite.load(domain, task, task_kwargs={"random": seed})


def make_envpool(task_id, num_envs, seed=0, **kwargs):
    """Create a gym-API envpool environment in sync mode (batch = num_envs)."""
    import envpool
    return envpool.make(task_id, env_type="gym", num_envs=num_envs,
                        batch_size=num_envs, num_threads=2, seed=seed, **kwargs)


def bench_dmc(domain, task):
    """Step one dm_control env DMC_STEPS times with random actions; return stats."""
    env = load_dmc(domain, task, 0)
    spec = env.action_spec()
    rng = np.random.default_rng(0)
    env.reset()
    t0 = time.perf_counter()
    for _ in range(DMC_STEPS):
        a = rng.uniform(spec.minimum, spec.maximum)
        ts = env.step(a)
        if ts.last():
            env.reset()
    dt = time.perf_counter() - t0
    return {"steps": DMC_STEPS, "seconds": dt, "sps": DMC_STEPS / dt,
            "rss_mb": peak_rss_mb()}


def bench_envpool(task_id, num_envs):
    """Step an envpool batch with random actions; return agent-steps/s."""
    env = make_envpool(task_id, num_envs)
    low, high = env.action_space.low, env.action_space.high
    rng = np.random.default_rng(0)
    env.reset()
    t0 = time.perf_counter()
    batches = 0
    while batches < ENVPOOL_BATCHES:
        a = rng.uniform(low, high, size=(num_envs,) + low.shape)
        env.step(a)
        batches += 1
        if time.perf_counter() - t0 > ENVPOOL_TIME_BUDGET_S:
            break
    dt = time.perf_counter() - t0
    return {"batches": batches, "seconds": dt,
            "sps": num_envs * batches / dt, "rss_mb": peak_rss_mb()}


def spec_dmc(domain, task):
    """Return observation dims, action spec, substeps and zero-action episode length."""
    env = load_dmc(domain, task, 0)
    obs = {k: int(np.prod(v.shape)) for k, v in env.observation_spec().items()}
    a = env.action_spec()
    env.reset()
    zero = np.zeros(a.shape)
    n = 0
    while True:
        n += 1
        if env.step(zero).last():
            break
    return {"obs": obs, "act_dim": int(a.shape[0]),
            "low": a.minimum.tolist(), "high": a.maximum.tolist(),
            "substeps": int(env._n_sub_steps),
            "control_dt": float(env.control_timestep()),
            "episode_len": n, "rss_mb": peak_rss_mb()}


def spec_envpool(task_id):
    """Return observation dims, action spec, config and zero-action episode length."""
    import envpool
    cfg = envpool.make_spec(task_id).config
    env = make_envpool(task_id, 1)
    space = env.observation_space
    obs = {k: int(np.prod(v.shape)) for k, v in space.spaces.items()}
    act = env.action_space
    _, info = env.reset()
    zero = np.zeros((1,) + act.shape)
    n = 0
    while True:
        n += 1
        _, _, term, trunc, _ = env.step(zero)
        if term[0] or trunc[0] or n > 5000:
            break
    return {"obs": obs, "act_dim": int(act.shape[0]),
            "low": act.low.tolist(), "high": act.high.tolist(),
            "frame_skip": int(cfg.frame_skip),
            "max_episode_steps": int(cfg.max_episode_steps),
            "episode_len": n, "terminated": bool(term[0]),
            "truncated": bool(trunc[0]), "rss_mb": peak_rss_mb()}


def returns_dmc(domain, task):
    """Zero-action 1000-step returns from N_SEEDS task seeds in dm_control."""
    rets = []
    for seed in range(N_SEEDS):
        env = load_dmc(domain, task, seed)
        zero = np.zeros(env.action_spec().shape)
        env.reset()
        r = 0.0
        for _ in range(EPISODE_STEPS):
            r += float(env.step(zero).reward or 0.0)
        rets.append(r)
    return {"returns": rets, "rss_mb": peak_rss_mb()}


def returns_envpool(task_id):
    """Zero-action 1000-step returns from N_SEEDS envs (seeds 0..9) in envpool.

    The reward returned by reset() is not counted (it is not a step reward).
    """
    env = make_envpool(task_id, N_SEEDS, seed=0)
    zero = np.zeros((N_SEEDS,) + env.action_space.shape)
    env.reset()
    r = np.zeros(N_SEEDS)
    for _ in range(EPISODE_STEPS):
        _, rew, _, _, _ = env.step(zero)
        r += rew
    return {"returns": r.tolist(), "rss_mb": peak_rss_mb()}


WORKERS = {
    "bench_dmc": lambda a: bench_dmc(a[0], a[1]),
    "bench_envpool": lambda a: bench_envpool(a[2], int(a[3])),
    "spec_dmc": lambda a: spec_dmc(a[0], a[1]),
    "spec_envpool": lambda a: spec_envpool(a[2]),
    "returns_dmc": lambda a: returns_dmc(a[0], a[1]),
    "returns_envpool": lambda a: returns_envpool(a[2]),
}


def run_worker(kind, *args):
    """Run one measurement in a fresh child process; return its dict or an error."""
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", kind] + [str(x) for x in args]
    env = dict(os.environ)
    env.setdefault("MUJOCO_GL", "disable")
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    for line in reversed(p.stdout.splitlines()):
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    err = (p.stderr.strip().splitlines() or ["no output"])[-1]
    return {"error": f"rc={p.returncode}: {err}"}


def fmt(x, nd=1):
    """Format a number (or pass through an error string)."""
    return f"{x:,.{nd}f}" if isinstance(x, (int, float)) else str(x)


def main():
    """Run all measurements and print markdown tables."""
    print("# dm_control vs envpool on DMC tasks\n")
    try:
        import dm_control  # noqa: F401
        import envpool
        import mujoco
        print(f"mujoco {mujoco.__version__}, envpool {envpool.__version__}, "
              f"numpy {np.__version__}, CPUs {os.cpu_count()}\n")
    except Exception as e:  # pragma: no cover
        print(f"import error: {e!r}\n")

    # 1. throughput
    print("## 1. Throughput (agent-steps/s, random actions)\n")
    print("| task | simulator | num_envs | steps or batches | seconds | agent-steps/s | peak RSS MiB |")
    print("|---|---|---|---|---|---|---|")
    for d, t, tid in TASKS:
        r = run_worker("bench_dmc", d, t, tid, 1)
        if "error" in r:
            print(f"| {d}-{t} | dm_control | 1 | ERROR {r['error']} | | | |")
        else:
            print(f"| {d}-{t} | dm_control | 1 | {r['steps']} | {r['seconds']:.2f} | "
                  f"{fmt(r['sps'])} | {fmt(r['rss_mb'], 0)} |")
        for n in ENVPOOL_NUM_ENVS:
            r = run_worker("bench_envpool", d, t, tid, n)
            if "error" in r:
                print(f"| {d}-{t} | envpool | {n} | ERROR {r['error']} | | | |")
            else:
                print(f"| {d}-{t} | envpool | {n} | {r['batches']} | {r['seconds']:.2f} | "
                      f"{fmt(r['sps'])} | {fmt(r['rss_mb'], 0)} |")
        sys.stdout.flush()

    # 2. task equivalence
    print("\n## 2. Task definition\n")
    for d, t, tid in TASKS:
        sd = run_worker("spec_dmc", d, t, tid)
        se = run_worker("spec_envpool", d, t, tid)
        print(f"### {d}-{t} vs {tid}\n")
        if "error" in sd or "error" in se:
            print(f"dm_control: {sd.get('error', 'ok')}; envpool: {se.get('error', 'ok')}\n")
            continue
        keys = sorted(set(sd["obs"]) | set(se["obs"]))
        print("| obs key (sorted) | dm_control dim | envpool dim | match |")
        print("|---|---|---|---|")
        for k in keys:
            a, b = sd["obs"].get(k, "-"), se["obs"].get(k, "-")
            print(f"| {k} | {a} | {b} | {'yes' if a == b else 'NO'} |")
        tot_d = sum(sd["obs"].values())
        tot_e = sum(se["obs"].values())
        shared = sum(v for k, v in se["obs"].items() if k in sd["obs"])
        print(f"| **total** | {tot_d} | {tot_e} (shared keys: {shared}) | "
              f"{'yes' if tot_d == tot_e else 'NO'} |\n")
        same_bounds = (np.allclose(sd["low"], se["low"]) and np.allclose(sd["high"], se["high"])
                       if sd["act_dim"] == se["act_dim"] else False)
        print("| property | dm_control | envpool | match |")
        print("|---|---|---|---|")
        print(f"| action dim | {sd['act_dim']} | {se['act_dim']} | "
              f"{'yes' if sd['act_dim'] == se['act_dim'] else 'NO'} |")
        print(f"| action low | {sd['low']} | {se['low']} | {'yes' if same_bounds else 'NO'} |")
        print(f"| action high | {sd['high']} | {se['high']} | {'yes' if same_bounds else 'NO'} |")
        print(f"| physics substeps per env step | n_sub_steps={sd['substeps']} "
              f"(control dt {sd['control_dt']}) | frame_skip={se['frame_skip']} (default) | "
              f"{'yes' if sd['substeps'] == se['frame_skip'] else 'NO'} |")
        print(f"| episode length, zero actions | {sd['episode_len']} | {se['episode_len']} "
              f"(max_episode_steps={se['max_episode_steps']}, terminated={se['terminated']}, "
              f"truncated={se['truncated']}) | "
              f"{'yes' if sd['episode_len'] == se['episode_len'] else 'NO'} |\n")

    # reward scale
    print("## 3. Zero-action 1000-step returns, 10 seeds\n")
    print("| task | simulator | mean | std | min | max | peak RSS MiB |")
    print("|---|---|---|---|---|---|---|")
    summary = {}
    for d, t, tid in TASKS:
        for name, kind in (("dm_control", "returns_dmc"), ("envpool", "returns_envpool")):
            r = run_worker(kind, d, t, tid)
            if "error" in r:
                print(f"| {d}-{t} | {name} | ERROR {r['error']} | | | | |")
                continue
            x = np.asarray(r["returns"])
            summary[(d, name)] = x
            print(f"| {d}-{t} | {name} | {x.mean():.2f} | {x.std():.2f} | {x.min():.2f} | "
                  f"{x.max():.2f} | {fmt(r['rss_mb'], 0)} |")
    print()
    print("| task | mean difference (envpool - dm_control) | in units of pooled std |")
    print("|---|---|---|")
    for d, t, _ in TASKS:
        if (d, "dm_control") in summary and (d, "envpool") in summary:
            a, b = summary[(d, "dm_control")], summary[(d, "envpool")]
            pooled = np.sqrt((a.var() + b.var()) / 2) or float("nan")
            print(f"| {d}-{t} | {b.mean() - a.mean():.2f} | {(b.mean() - a.mean()) / pooled:.2f} |")
    print()
    for d, name in summary:
        print(f"- {d} {name} returns: " + ", ".join(f"{v:.2f}" for v in summary[(d, name)]))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--worker":
        out = WORKERS[sys.argv[2]](sys.argv[3:])
        print("RESULT " + json.dumps(out))
    else:
        main()
