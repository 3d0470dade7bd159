"""Returns on fixed action sequences: the host-stepped copies (workflow_lib/envs/host.py) against
the reference simulators themselves (dm_control's suite, Gymnasium's MuJoCo tasks), from the same
seed, 1000 steps (or until Hopper falls), zero actions and a fixed uniform sequence. The reference
gets the action mapped onto its bounds as the copies map it. Run:

    .venv/bin/python benchmarks/host_simulators.py     (needs the host extra)

tests/test_host_envs.py checks the same to the bit, step by step.
"""
import os

os.environ.setdefault("MUJOCO_GL", "disable")
import numpy as np
from dm_control import suite
import gymnasium
from workflow_lib.envs.host import HostEnvs
rows=[]
for name in ["dmc-quadruped-walk", "dmc-humanoid-run", "gym-Hopper-v5"]:
    for seed in (0, 1):
        ours = HostEnvs(name, 1)
        acts = np.random.default_rng(seed).uniform(-1, 1, (1000, ours.action_size))
        for kind in ("zero", "random"):
            a = np.zeros_like(acts) if kind == "zero" else acts
            ours.reset([seed]); R = 0.0
            if name.startswith("dmc"):
                d, t = name[4:].split("-", 1); ref = suite.load(d, t, task_kwargs={"random": seed}); ref.reset()
                spec = ref.action_spec(); lo, hi = spec.minimum, spec.maximum
            else:
                ref = gymnasium.make(name[4:]); ref.reset(seed=seed); lo, hi = ref.action_space.low, ref.action_space.high
            Rr = 0.0; n = 0
            for x in a:
                _, r, term = ours.step(x[None]); R += float(r[0]); n += 1
                m = x * (hi - lo) / 2 + (hi + lo) / 2
                if name.startswith("dmc"):
                    Rr += float(np.float32(ref.step(m).reward))
                else:
                    o, rr, te, tr, _ = ref.step(m); Rr += float(np.float32(rr))
                if term[0]: break
            rows.append((name, seed, kind, n, R, Rr))
print("| task | seed | actions | steps | ours | reference |")
print("|---|---|---|---|---|---|")
for r in rows: print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]:.4f} | {r[5]:.4f} |")
