#!/bin/bash
# Submits an experiment as N shards and a merge that waits for all of them.
#
#   examples/slurm/submit.sh experiments/interference_sweep.toml 8
set -euo pipefail
EXPERIMENT=${1:?usage: submit.sh EXPERIMENT.toml N}
N=${2:?usage: submit.sh EXPERIMENT.toml N}
HERE=$(cd "$(dirname "$0")" && pwd)

jid=$(sbatch --parsable --array=1-"$N" "$HERE/shards.sbatch" "$EXPERIMENT")
echo "shards: job $jid (array 1-$N)"
mid=$(sbatch --parsable --dependency=afterok:"$jid" "$HERE/merge.sbatch" "$EXPERIMENT")
echo "merge: job $mid, after every shard has succeeded"
