#!/bin/sh
# After a colorize run: score its phases on the validation photos, export the picked generator, time it.
# Usage: sh docs/training/colorize_finish.sh runs/colorize-main [CHECKPOINT_NAME]
set -e
RUN=${1:-runs/colorize-main}
PICK=${2:-inflection.pt}
.venv/bin/python docs/training/colorize_phases.py "$RUN" --json "$RUN/phases.json" | tee "$RUN/phases.md"
.venv/bin/python -m restora.tools.colorize.export "$RUN/checkpoints/$PICK" --out restora/weights/colorize-debian.safetensors
OMP_WAIT_POLICY=PASSIVE .venv/bin/python docs/training/colorize_speed.py restora/weights/colorize-debian.safetensors | tee "$RUN/speed.txt"
