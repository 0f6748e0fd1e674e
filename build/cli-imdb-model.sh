#!/usr/bin/env bash
# Sourced by build/score-file-bench.sh and build/slurm-eval.sh: builds the command line (sets $cli to its dll), makes a
# fresh $work folder, unpacks IMDB (../shared/data/imdb) into $work/train.tsv and $work/test.tsv, and trains a text
# classifier with a 60-second sweep of the attention encoder into $work/model (log in $work/train.log).
# Expects $root and $work.
cli_project="$root/src/Microsoft.ML.Attention.Cli"
dotnet build "$cli_project" -c Release -nologo -v quiet >/dev/null
cli="$cli_project/bin/Release/net10.0/mlnet-attention.dll"
rm -rf "$work"
mkdir -p "$work"
zcat "$root/../shared/data/imdb/train.tsv.gz" > "$work/train.tsv"
zcat "$root/../shared/data/imdb/test.tsv.gz" > "$work/test.tsv"
echo "training a model on IMDB's training reviews (60 s sweep)…"
dotnet "$cli" text-classification --dataset "$work/train.tsv" --label-col label --text-col text --trainers attention-encode \
  --train-time 60 --output "$work/model" > "$work/train.log"
tail -n 4 "$work/train.log"
