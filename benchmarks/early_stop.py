"""Early-stopping chunks vs fixed-length rollouts, on a trained checkpoint's PURD.

  .venv/bin/python benchmarks/early_stop.py CHECKPOINT [REPLAY] [--n 200] [--batch 50] [--rounds 3]

Samples the checkpoint's PURD under its own update twice per round, interleaved: with the engine's
early-stopping chunks (a chunk stops at the first block of stop_check_every(episode_length) steps
after which every rollout has ended) and with fixed-length chunks (one block of the whole episode,
what every rollout ran before). Prints medians, the ratio, the mean episode length, and checks that
both give the same returns to the bit. Run it on the CPU's cores as host devices, as PURD jobs do.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from workflow_lib.workflow.runtime import host_devices  # noqa: I001  (before JAX computes anything)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint")
    parser.add_argument("replay", nargs="?")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--check-every", type=int, default=0, help="steps per block (default: the engine's)")
    args = parser.parse_args()
    host_devices(len(os.sched_getaffinity(0)))

    import jax
    import numpy as np

    from workflow_lib.engine import program, rollout
    from workflow_lib.studies import purd

    policy = purd.load_policy(args.checkpoint, args.replay)
    settings = purd.Settings(n=args.n, batch_size=args.batch, episode_length=policy.max_steps)
    check_every = (lambda length, at_most=50: args.check_every) if args.check_every else rollout.stop_check_every

    def sample(early: bool) -> tuple[float, float, dict]:
        """(first call: compile and run, second call: run, output)."""
        program.stop_check_every = check_every if early else (lambda length, at_most=50: length)
        program.chunk_program.cache_clear()
        jax.clear_caches()
        t0 = time.perf_counter()
        purd.sample(policy, policy.algo, settings)
        t1 = time.perf_counter()
        out = purd.sample(policy, policy.algo, settings)
        return t1 - t0, time.perf_counter() - t1, out

    times = {True: [], False: []}
    first = {True: [], False: []}
    outs = {}
    for _ in range(args.rounds):
        for early in (True, False):
            compile_and_run, run, outs[early] = sample(early)
            first[early].append(compile_and_run)
            times[early].append(run)
    main.outs = outs
    same = np.array_equal(main.outs[True]["return"], main.outs[False]["return"])
    early_s, fixed_s = statistics.median(times[True]), statistics.median(times[False])
    early_c, fixed_c = statistics.median(first[True]), statistics.median(first[False])
    lengths = main.outs[True]["length"]
    print(f"{policy.env} {policy.algo} seed {policy.seed} step {policy.step}: N = {args.n}, batch {args.batch}, "
          f"episode {settings.episode_length}, mean length {lengths.mean():.0f} (max {lengths.max()})")
    print(f"sampling (compiled): early-stopping {early_s:.2f} s, fixed-length {fixed_s:.2f} s, ratio {fixed_s / early_s:.2f}x")
    print(f"first call (compile + sample): early-stopping {early_c:.2f} s, fixed-length {fixed_c:.2f} s, "
          f"ratio {fixed_c / early_c:.2f}x; returns equal to the bit: {same}")


if __name__ == "__main__":
    main()
