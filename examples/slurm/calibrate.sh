#!/bin/bash
# Submits a calibration (an experiment file of kind = "calibrate") as
# rounds of N shards sharing one folder, then the run that writes the
# results.
#
#   examples/slurm/calibrate.sh calibration/pakistan_fit.toml 8 [ROUNDS] [OUT]
#
# Each round is an array job of N tasks (task i runs `--shard i/N`) that
# starts when the round before it has succeeded. A round simulates each
# shard's share of the next proposals; a generation of the fit usually
# takes one round. Rounds left over once the fit is complete stop at once.
# If the last round was not enough, the final run simulates the rest
# itself (or submit this script again: every run resumes from the
# journals in OUT).
set -euo pipefail
FIT=${1:?usage: calibrate.sh FIT.toml N [ROUNDS] [OUT]}
N=${2:?usage: calibrate.sh FIT.toml N [ROUNDS] [OUT]}
ROUNDS=${3:-15}
OUT=${4:-outputs/$(basename "$FIT" .toml)}
BUREAUSIM=${BUREAUSIM:-bureausim}   # or target/release/bureausim

mkdir -p "$(dirname "$OUT")"
after=""
for r in $(seq 1 "$ROUNDS"); do
    jid=$(sbatch --parsable --array=1-"$N" ${after:+--dependency=afterok:$after} \
        --job-name="bureausim-fit-round-$r" --cpus-per-task=4 --mem=4G --time=02:00:00 \
        --output="slurm-%A_%a.out" --requeue \
        --wrap="$BUREAUSIM experiment $FIT --shard \$SLURM_ARRAY_TASK_ID/$N --out $OUT --threads \${SLURM_CPUS_PER_TASK:-0}")
    echo "round $r: job $jid (array 1-$N)"
    after=$jid
done
fid=$(sbatch --parsable --dependency=afterok:"$after" --job-name=bureausim-fit-results \
    --cpus-per-task=4 --mem=4G --time=04:00:00 --output="slurm-%j-results.out" \
    --wrap="$BUREAUSIM experiment $FIT --out $OUT --threads \${SLURM_CPUS_PER_TASK:-0}")
echo "results: job $fid, after the last round"
