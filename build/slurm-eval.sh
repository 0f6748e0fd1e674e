#!/usr/bin/env bash
# build/eval.sh slurm [ROWS [TASKS]]: scale-out scoring on a local Slurm (build/slurm-setup.sh sets it up).
# Trains a text classifier with the command line on IMDB's training reviews (../shared/data/imdb, 60-second sweep of
# the attention encoder), then scores ROWS reviews (default: IMDB's 25,000 test reviews) as a TASKS-task job array
# (default 4; each task `score --shard $SLURM_ARRAY_TASK_ID/TASKS`, one CPU each), merges the shards in a job that depends
# on the array, scores the same file in one plain process, and compares the two outputs byte for byte.
# Prints RESULT lines and "slurm: identical" (exit 0) or "slurm: DIFFERENT" (exit 1).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rows="${1:-25000}"
tasks="${2:-4}"
command -v sbatch >/dev/null && sinfo -h >/dev/null 2>&1 || { echo "No Slurm here: run build/slurm-setup.sh (as root) first." >&2; exit 2; }

# Slurm runs the jobs as this user on this machine, so a folder under the repository is shared with them.
work="$root/artifacts/slurm-eval"
# shellcheck source=build/cli-imdb-model.sh
source "$root/build/cli-imdb-model.sh"
mkdir -p "$work/logs"
head -n $((rows + 1)) "$work/test.tsv" > "$work/input.tsv"

cat > "$work/score.sbatch" <<JOB
#!/usr/bin/env bash
#SBATCH --job-name=attention-score
#SBATCH --array=1-$tasks
#SBATCH --cpus-per-task=1
#SBATCH --output=$work/logs/score-%a.log
# One shard per array task; the engine uses the task's CPUs only.
export DOTNET_PROCESSOR_COUNT=\${SLURM_CPUS_PER_TASK:-1}
exec dotnet "$cli" score --model "$work/model/model.zip" --dataset "$work/input.tsv" \\
  --output "$work/shards/part-\$SLURM_ARRAY_TASK_ID.tsv" --shard "\$SLURM_ARRAY_TASK_ID/$tasks"
JOB
parts=$(seq -f "$work/shards/part-%g.tsv" 1 "$tasks" | tr '\n' ' ')
cat > "$work/merge.sbatch" <<JOB
#!/usr/bin/env bash
#SBATCH --job-name=attention-merge
#SBATCH --output=$work/logs/merge.log
exec dotnet "$cli" merge --output "$work/merged.tsv" $parts
JOB
mkdir -p "$work/shards"

start=$(date +%s.%N)
array=$(sbatch --parsable "$work/score.sbatch")
sbatch --parsable --wait --dependency=afterok:"$array" "$work/merge.sbatch" >/dev/null
slurm_seconds=$(echo "$(date +%s.%N) - $start" | bc)
for t in $(seq 1 "$tasks"); do tail -n 1 "$work/logs/score-$t.log"; done
cat "$work/logs/merge.log"

start=$(date +%s.%N)
dotnet "$cli" score --model "$work/model/model.zip" --dataset "$work/input.tsv" --output "$work/single.tsv" | tail -n 1
single_seconds=$(echo "$(date +%s.%N) - $start" | bc)

echo "RESULT slurm_rows $rows rows"
echo "RESULT slurm_array_seconds $slurm_seconds s"
echo "RESULT single_process_seconds $single_seconds s"
if cmp -s "$work/merged.tsv" "$work/single.tsv"; then
  echo "slurm: identical ($(sha256sum < "$work/merged.tsv" | cut -c1-16)…, $(wc -l < "$work/merged.tsv") lines, $tasks shards)"
else
  cmp "$work/merged.tsv" "$work/single.tsv" | head -n 1 >&2 || true
  echo "slurm: DIFFERENT"
  exit 1
fi
