#!/bin/bash
# One shard of a Parity validation sweep per Slurm array task (see docs/sharding.md).
#   jobid=$(sbatch --parsable --array=0-15 scripts/slurm-validate.sh)
#   sbatch --dependency=afterok:$jobid --wrap 'parity merge out/shard-*.json > validation.txt'
#SBATCH --job-name=parity-validate
#SBATCH --cpus-per-task=1
#SBATCH --time=00:20:00
#SBATCH --output=out/shard-%a.log
set -euo pipefail

count=${SLURM_ARRAY_TASK_COUNT:?run this as an array job: sbatch --array=0-15}
index=${SLURM_ARRAY_TASK_ID:?run this as an array job}
paths=${PARITY_PATHS:-"validation/training validation/serving ../shared/data/serving-sweeps/nvidia-measured.csv"}

mkdir -p out
# shellcheck disable=SC2086  # the paths are meant to split
parity validate $paths --shard "$index/$count" --format json > "out/shard-$index.json"
