#!/usr/bin/env bash
# Issue 28's Atari PURD benchmark on a GPU machine (the `device` tool's lent machines), one call:
# benchmarks/atari_purd_update.py at the laptop study's settings and at a larger N with the
# paper's horizon. The machine's image has JAX with CUDA but not brax, mujoco or ale-py: they
# travel as wheels in .whl/ (README "Benchmarks"). polars does not fit beside them in the 64 MiB
# the tool carries, and this benchmark writes no table: a stand-in module takes its name there
# (any use of it fails loudly).
#
#   bash benchmarks/device_atari.sh        # writes its output under $OUT (or results/benchmarks/device)
set -u
PY=${PY:-python3}
OUT=${OUT:-results/benchmarks/device}
mkdir -p "$OUT"
if [ -d .whl ]; then
  $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
  mkdir -p /tmp/site/polars
  printf 'def __getattr__(name):\n    return name  # a stand-in: no table is written here\n' > /tmp/site/polars/__init__.py
  export PYTHONPATH=/tmp/site:$PWD
fi
export PYTHONUNBUFFERED=1 XLA_PYTHON_CLIENT_PREALLOCATE=false
nvidia-smi -L 2>/dev/null
$PY -c "import jax; print('jax', jax.__version__, jax.devices())"
SAMPLES=${SAMPLES:-16} BATCH=${BATCH:-4} LENGTH=${LENGTH:-1000}
timeout ${LIMIT:-200} $PY benchmarks/atari_purd_update.py --samples $SAMPLES --update-batch $BATCH --length $LENGTH 2>&1 \
  | grep -v -e nanobind -e leaked -e warp | tee "$OUT/atari_purd_n$SAMPLES.txt"
