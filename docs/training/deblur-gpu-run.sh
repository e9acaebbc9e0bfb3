#!/bin/sh
# The shipped deblur weights' training run, as it ran on a lent GPU (docs/training/deblur.md §4).
# Usage: sh docs/training/deblur-gpu-run.sh DATA OUT [MINUTES] [WORKERS] [DEVICE] [RESUME_FROM]
# Trains in /tmp/deblur-gpu-run and copies the few files worth keeping into OUT every minute, so a run cut
# off by its host still leaves its latest checkpoint behind. RESUME_FROM: a folder holding an earlier
# call's OUT (latest.pt, metrics.csv, config.json): the run continues from it (MINUTES is then the
# run's total training time, earlier calls included). EXTRA_ARGS: more `train deblur` options, e.g.
# "--pairs device" (pairs made on the GPU; a new run only, since the recipe is fixed per run).
set -u
DATA=$1 OUT=$2 MINUTES=${3:-7.5} WORKERS=${4:-14} DEVICE=${5:-cuda} RESUME_FROM=${6:-}
RUN=/tmp/deblur-gpu-run
rm -rf "$RUN"; mkdir -p "$OUT" "$RUN/checkpoints"
RESUME=
if [ -n "$RESUME_FROM" ]; then
  cp "$RESUME_FROM/latest.pt" "$RUN/checkpoints/" && cp "$RESUME_FROM/metrics.csv" "$RESUME_FROM/config.json" "$RUN/" || exit 1
  RESUME=--resume
fi
keep() {
  for f in config.json metrics.csv loss_curve.png samples.png checkpoints/latest.pt checkpoints/best.pt; do
    [ -f "$RUN/$f" ] && cp "$RUN/$f" "$OUT/$(basename "$f").part" && mv "$OUT/$(basename "$f").part" "$OUT/$(basename "$f")"
  done
}
( while sleep 60; do keep; done ) >/dev/null 2>&1 &
COPIER=$!
PYTHONUNBUFFERED=1 timeout $(( ${MINUTES%.*} * 60 + 150 )) ${PYTHON:-python3} -m restora train deblur --data "$DATA" --out "$RUN" $RESUME \
  --gan wgan-gp --content l1+grad --ngf 16 --blocks 9 --norm none --dropout 0 --ndf 16 \
  --lr 1e-4 --lr-decay-from 0.7 --adv-weight 5e-4 --critic-iters 5 --warmup-steps 3000 \
  --crop 256 --batch 16 --kind mixed --steps 200000 --time-limit "$MINUTES" --seed 0 \
  --device "$DEVICE" --workers "$WORKERS" --threads 4 \
  --log-every 50 --val-every 500 --sample-every 1000000 --checkpoint-min 1 --no-progress ${EXTRA_ARGS:-}
STATUS=$?
kill $COPIER 2>/dev/null
keep
exit $STATUS
