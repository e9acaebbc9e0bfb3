#!/bin/sh
# Several deblur training recipes side by side on one lent GPU (docs/training/deblur.md §4.2).
# Usage: sh docs/training/deblur-gpu-variants.sh DATA OUT [MINUTES] [DEVICE]
# Environment (defaults: session 3's runs): INIT, the weights every variant starts from; LAYOUT, the
# generator options (a larger layout than INIT's grows it, see restora/tools/deblur/grow.py); VARIANTS,
# lines of "name:options"; EXTRA, options added to every variant (e.g. "--precision bfloat16").
# The shipped layout is small (0.72 M parameters), so one run leaves most of an H200 idle, waiting on
# Python; three runs in parallel cost the lease no more than one. Each variant starts from the shipped
# weights, trains on the content loss alone for the first 75 % of MINUTES (rate decaying linearly to
# zero from half-way) and then as a WGAN-GP with a fresh critic. Each run trains in /tmp; every minute
# the generator part of its latest.pt goes to OUT/<variant>.pt and the small files of all runs (config,
# metrics, log, curve) into OUT/runs.tar.gz, so a run cut off by its host still leaves its generator.
# (The device tool brings back at most 8 files of at most 16 MiB: a full ngf-32 checkpoint is 37 MB, its
# generator 11 MB. The runs cannot be resumed, only continued with --init-generator; best.pt does not
# come back, the end of a run is what gets evaluated.)
set -u
DATA=$1 OUT=$2 MINUTES=${3:-8} DEVICE=${4:-cuda}
INIT=${INIT:-deblur-debian} LAYOUT=${LAYOUT:---ngf 16 --blocks 9}
COMMON="--gan wgan-gp $LAYOUT --norm none --dropout 0 --ndf 16 --critic-iters 5
  --adv-weight 5e-4 --adversarial-from 0.75 --lr-decay-from 0.5 --crop 256 --batch 32 --kind mixed
  --pairs device --kernel-bank 4096 --init-generator $INIT --steps 1000000 --time-limit $MINUTES
  --seed 0 --device $DEVICE --workers 5 --threads 3 --log-every 100 --val-every 1000
  --sample-every 1000000 --checkpoint-min 1 --no-progress ${EXTRA:-}"
# name and the options that differ; one process each
VARIANTS=${VARIANTS:-"lr3e-4-l1grad:--lr 3e-4 --content l1+grad
lr1e-4-l1grad:--lr 1e-4 --content l1+grad
lr3e-4-l1:--lr 3e-4 --content l1"}

keep() {
  for run in /tmp/deblur-variant-*; do
    name=${run#/tmp/deblur-variant-}
    [ -f "$run/checkpoints/latest.pt" ] && ${PYTHON:-python3} -c "import sys; from pathlib import Path; \
from restora.training.checkpoints import save_generator_only as s; s(Path(sys.argv[1]), Path(sys.argv[2]))" \
      "$run/checkpoints/latest.pt" "$OUT/$name.pt"
  done
  (cd /tmp && tar czf "$OUT/runs.tar.gz.part" --exclude=checkpoints --exclude=samples deblur-variant-*) \
    && mv "$OUT/runs.tar.gz.part" "$OUT/runs.tar.gz"
}

rm -rf /tmp/deblur-variant-* /tmp/deblur-variants.pids
mkdir -p "$OUT"
echo "$VARIANTS" | while IFS=: read -r name options; do
  run=/tmp/deblur-variant-$name
  mkdir -p "$run"
  # shellcheck disable=SC2086  # the option strings are meant to split
  PYTHONUNBUFFERED=1 timeout $(( ${MINUTES%.*} * 60 + 120 )) ${PYTHON:-python3} -m restora train deblur \
    --data "$DATA" --out "$run" $COMMON $options > "$run/train.log" 2>&1 &
  echo $! >> /tmp/deblur-variants.pids
done
( while sleep 60; do keep; done ) >/dev/null 2>&1 &
COPIER=$!
STATUS=0
for pid in $(cat /tmp/deblur-variants.pids); do
  wait "$pid" 2>/dev/null || true  # not our child in this shell: poll instead
  while kill -0 "$pid" 2>/dev/null; do sleep 5; done
done
rm -f /tmp/deblur-variants.pids
kill $COPIER 2>/dev/null
keep
for run in /tmp/deblur-variant-*; do
  grep -q "^stopped at step" "$run/train.log" || { echo "$run did not finish:"; tail -5 "$run/train.log"; STATUS=1; }
done
exit $STATUS
