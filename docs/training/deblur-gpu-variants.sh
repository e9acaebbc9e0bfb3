#!/bin/sh
# Several deblur training recipes side by side on one lent GPU (docs/training/deblur.md §4.2).
# Usage: sh docs/training/deblur-gpu-variants.sh DATA OUT [MINUTES] [DEVICE]
# The shipped layout is small (0.72 M parameters), so one run leaves most of an H200 idle, waiting on
# Python; three runs in parallel cost the lease no more than one. Each variant starts from the shipped
# weights, trains on the content loss alone for the first 75 % of MINUTES (rate decaying linearly to
# zero from half-way) and then as a WGAN-GP with a fresh critic. Each run trains in /tmp and its
# config, metrics and checkpoints are copied into OUT/<variant>/ every minute, so a run cut off by its
# host still leaves its latest checkpoint behind.
set -u
DATA=$1 OUT=$2 MINUTES=${3:-8} DEVICE=${4:-cuda}
COMMON="--gan wgan-gp --ngf 16 --blocks 9 --norm none --dropout 0 --ndf 16 --critic-iters 5
  --adv-weight 5e-4 --adversarial-from 0.75 --lr-decay-from 0.5 --crop 256 --batch 32 --kind mixed
  --pairs device --kernel-bank 4096 --init-generator deblur-debian --steps 1000000 --time-limit $MINUTES
  --seed 0 --device $DEVICE --workers 5 --threads 3 --log-every 100 --val-every 1000
  --sample-every 1000000 --checkpoint-min 1 --no-progress"
# name and the options that differ; one process each
VARIANTS="lr3e-4-l1grad:--lr 3e-4 --content l1+grad
lr1e-4-l1grad:--lr 1e-4 --content l1+grad
lr3e-4-l1:--lr 3e-4 --content l1"

keep() {
  for run in /tmp/deblur-variant-*; do
    name=${run#/tmp/deblur-variant-}
    mkdir -p "$OUT/$name"
    for f in config.json metrics.csv loss_curve.png train.log checkpoints/latest.pt checkpoints/best.pt; do
      [ -f "$run/$f" ] && cp "$run/$f" "$OUT/$name/$(basename "$f").part" \
        && mv "$OUT/$name/$(basename "$f").part" "$OUT/$name/$(basename "$f")"
    done
  done
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
