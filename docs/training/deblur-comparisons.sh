#!/bin/sh
# The short, equal-budget comparisons reported in docs/training/deblur.md. The CPU is shared with the
# main run and other work, so these use a small generator (ngf 16, 3 blocks, no norm) on 64-px crops,
# batch 4, one thread, niced: about 1/60 of a main-run step, so each run gets thousands of steps.
# Every run starts from the same seed and gets the same wall-clock budget.
# Usage: sh docs/training/deblur-comparisons.sh [MINUTES]  (default 8)
set -e
MIN=${1:-8}
R=/work/runs/compare
DATA=/work/data/debian
mkdir -p $R
common="--data $DATA --ngf 16 --blocks 3 --norm none --dropout 0 --ndf 8 --lr 1e-4 --crop 64 --batch 4 --kind mixed
        --threads 1 --seed 1 --log-every 20 --val-every 200 --sample-every 100000 --checkpoint-min 60
        --time-limit $MIN --no-progress"
run() { name=$1; shift; nice -n 10 .venv/bin/restora train deblur $common --out $R/$name "$@" > $R/$name.log 2>&1; }
run wgan-gp   --gan wgan-gp   --content l1+grad --adv-weight 1e-3
run wgan-clip --gan wgan-clip --content l1+grad --adv-weight 1e-3
run content-l1      --content l1      --warmup-steps 1000000
run content-l1grad  --content l1+grad --warmup-steps 1000000
run content-l1fft   --content l1+fft  --warmup-steps 1000000
.venv/bin/python -m restora.training.compare $R/wgan-gp $R/wgan-clip --png docs/training/deblur-gan-comparison.png
.venv/bin/python -m restora.training.compare $R/content-l1 $R/content-l1grad $R/content-l1fft $R/wgan-gp \
    --png docs/training/deblur-content-comparison.png
