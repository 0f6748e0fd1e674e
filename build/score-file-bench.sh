#!/usr/bin/env bash
# build/bench.sh score-file [GIB]: the command line's `score` streaming a large TSV (default 1 GiB: IMDB's test reviews
# repeated) through a text classifier trained by `text-classification` (a 60-second sweep of the attention encoder on
# IMDB's training reviews). Prints RESULT lines: input size, rows, rows/s, and the process's peak working set (bounded
# memory: it does not grow with the file).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
gib="${1:-1}"
work="$root/artifacts/score-file-bench"
# shellcheck source=build/cli-imdb-model.sh
source "$root/build/cli-imdb-model.sh"
trap 'rm -f "$work/input.tsv" "$work/scored.tsv"' EXIT

target=$(echo "$gib * 1073741824 / 1" | bc)
head -n 1 "$work/test.tsv" > "$work/input.tsv"
tail -n +2 "$work/test.tsv" > "$work/block.tsv"
rm -f "$work/test.tsv"
while [ "$(stat -c %s "$work/input.tsv")" -lt "$target" ]; do cat "$work/block.tsv" >> "$work/input.tsv"; done
rm -f "$work/block.tsv"
bytes=$(stat -c %s "$work/input.tsv")
rows=$(( $(wc -l < "$work/input.tsv") - 1 ))

start=$(date +%s.%N)
/usr/bin/time -f "%M" -o "$work/rss" dotnet "$cli" score --model "$work/model/model.zip" --dataset "$work/input.tsv" --output "$work/scored.tsv" | tail -n 2
seconds=$(echo "$(date +%s.%N) - $start" | bc)
[ "$(( $(wc -l < "$work/scored.tsv") - 1 ))" -eq "$rows" ] || { echo "score-file: the output lacks rows" >&2; exit 1; }
echo "RESULT score_file.input_bytes $bytes B"
echo "RESULT score_file.rows $rows rows"
echo "RESULT score_file.seconds $seconds s"
echo "RESULT score_file.rows_per_s $(echo "$rows / $seconds" | bc) rows/s"
echo "RESULT score_file.peak_rss $(( $(cat "$work/rss") / 1024 )) MB"
