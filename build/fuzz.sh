#!/usr/bin/env bash
# The fuzzing harness on demand: every file format the pack reads (model zip raw / manifest / inner entry with its checksum
# redone, safetensors, training checkpoint, word vectors) gets N mutated copies of its seed (default 20000 each; CI runs
# 200 each). Prints one "fuzz <format>: N mutated files, R read, F refused, K findings" line per format; exits non-zero on
# any finding (an exception outside the reader's contract, a hang past 10 s, or more than 256 MB allocated).
#   build/fuzz.sh [N]
# Replay a finding: ATTENTION_FUZZ_DUMP=<format>:<mutation> build/fuzz.sh <mutation+1> writes it to $TMPDIR/fuzz-<format>-<mutation>.bin.
set -euo pipefail
cd "$(dirname "$0")/.."
ATTENTION_FUZZ_ITERATIONS="${1:-20000}" dotnet test test/Microsoft.ML.Attention.Tests -c Release \
  --filter "FullyQualifiedName~Reliability.FuzzTests" --logger "console;verbosity=detailed" | grep -E "^ *fuzz |mutation [0-9]+:|Passed!|Failed!"
