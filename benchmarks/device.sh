#!/usr/bin/env bash
# The issue benchmarks on a GPU machine, in one call (the `device` tool's lent machines, or any
# CUDA box with JAX). That image has JAX with CUDA (0.11.x) but not brax, mujoco or polars: they
# travel as wheels in .whl/ (README "GPU"), installed here into /tmp/site. Brax's own trainers
# need jax < 0.10 and cannot run there, so the peer rows of benchmarks/learning.py stay CPU-only.
#
#   bash benchmarks/device.sh                      # writes its tables under $OUT (or results/benchmarks/device)
#   N=200 NBIG=400 SEEDS=2 OFF=30000 PPO=2097152 PY=.venv/bin/python bash benchmarks/device.sh   # a dry run
set -u
PY=${PY:-python3}
N=${N:-1000}          # PURD samples per checkpoint, as the (b)-(e)
NBIG=${NBIG:-10000}   # the paper's sample count, one chunk per 5000
SEEDS=${SEEDS:-20}    # the paper's seeds, vmapped in one training job (train.seeds_per_job)
OFF=${OFF:-30000}     # TD3/SAC env steps: 10k warm-up, a compiled 10k chunk, a timed 10k chunk
PPO=${PPO:-2097152}   # PPO env steps per seed: 4 chunks of 2048 envs x 16 steps x 16 iterations
OUT=${OUT:-results/benchmarks/device}
mkdir -p "$OUT"
if [ -d .whl ]; then
  $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
  export PYTHONPATH=/tmp/site:$PWD
fi
export PYTHONUNBUFFERED=1
quiet() { grep -v -e warp -e 'warnings.warn' -e 'not actively being maintained'; }
nvidia-smi -L 2>/dev/null
$PY -c "import jax; print('jax', jax.__version__, jax.devices())"
timeout 170 $PY benchmarks/purd.py --envs hopper ant --n "$N" --batch-size "$N" --loop-samples 10 2>&1 | quiet | tee "$OUT/purd_n$N.txt"
timeout 90 $PY benchmarks/purd.py --envs hopper --n "$NBIG" --batch-size $((NBIG / 2)) --loop-samples 5 2>&1 | quiet | tee "$OUT/purd_n$NBIG.txt"
timeout 200 $PY benchmarks/learning.py --only td3 sac ppo --offpolicy-steps "$OFF" --ppo-steps "$PPO" \
  --seeds "$SEEDS" --seeds-per-job "$SEEDS" --jobs 1 2>&1 | grep -v -e ': step ' | quiet | tee "$OUT/learning.txt"
