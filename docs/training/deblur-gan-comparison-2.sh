#!/bin/sh
# Second GAN comparison for docs/training/deblur.md: WGAN-GP vs weight clipping at equal generator
# steps (machine load varies too much for equal minutes), with the adversarial weight raised to 0.01
# so the critic's signal matters next to the content loss. Same small net as deblur-comparisons.sh.
set -e
R=/work/runs/compare2
DATA=/work/data/debian
STEPS=${1:-600}
mkdir -p $R
common="--data $DATA --ngf 16 --blocks 3 --norm none --dropout 0 --ndf 8 --lr 1e-4 --crop 64 --batch 4 --kind mixed
        --threads 1 --seed 1 --log-every 20 --val-every 100 --sample-every 100000 --checkpoint-min 60
        --steps $STEPS --content l1+grad --no-progress"
run() { name=$1; shift; nice -n 10 .venv/bin/restora train deblur $common --out $R/$name "$@" > $R/$name.log 2>&1; }
[ -d $R/wgan-gp ]   || run wgan-gp   --gan wgan-gp   --adv-weight 1e-2
[ -d $R/wgan-clip ] || run wgan-clip --gan wgan-clip --adv-weight 1e-2
[ -d $R/wgan-gp-adv1e-3 ] || run wgan-gp-adv1e-3 --gan wgan-gp --adv-weight 1e-3  # the main run's weight
.venv/bin/python -m restora.training.compare $R/wgan-gp $R/wgan-clip $R/wgan-gp-adv1e-3 /work/runs/compare/content-l1grad \
    --png docs/training/deblur-gan-comparison-2.png
