#!/usr/bin/env bash
# Side-by-side benchmark suites: ours and (when python3-torch is installed) PyTorch in the same run.
#   build/bench.sh SUITE [ROUNDS]      SUITE: gemm | peak | attention | attention-parts | encoder | recurrent | han | seq2seq | cnn | cnn-parts | textload | scoring | scoring-parts | onnx
#   (onnx: the exported encoder in ONNX Runtime against the pack's engine, "RATIO <name>.onnxruntime <ours/ORT>")
#   build/bench.sh score-file [GIB]    the command line's score streaming a GIB-sized TSV (default 1): rows/s and peak memory (build/score-file-bench.sh)
# Prints "RESULT <name> <value> <unit>" (best over ROUNDS fresh processes each, ours and PyTorch alternating)
# and "RATIO <name> <ours-speed/pytorch-speed>" (above 1: we are faster).
# PyTorch runs as ../shared/docs/pytorch-peer.md prescribes: OpenBLAS (not Debian's reference BLAS) with its
# AVX-512 kernels (its core type set where it does not know the CPU), ATEN_CPU_CAPABILITY=avx512 (avx2 on a CPU without
# AVX-512), the usual malloc thresholds, and 2 threads: build/torch-peer-env.sh.
set -euo pipefail
suite="${1:?usage: build/bench.sh SUITE [ROUNDS]   (suites: gemm, peak, attention, attention-parts, encoder, recurrent, han, seq2seq, cnn, cnn-parts, textload, scoring, scoring-parts, onnx, score-file)}"
rounds="${2:-3}"
root="$(cd "$(dirname "$0")/.." && pwd)"
[ "$suite" = score-file ] && exec bash "$root/build/score-file-bench.sh" "${2:-1}"
perf="$root/test/Microsoft.ML.Attention.PerformanceTests"
dotnet build "$perf" -c Release -nologo -v quiet >"$perf.build.log" 2>&1 || { grep -E "error|Error" "$perf.build.log" >&2; echo "bench: the performance project does not build (log: $perf.build.log)" >&2; exit 1; }
rm -f "$perf.build.log"
dll="$perf/bin/Release/net10.0/Microsoft.ML.Attention.PerformanceTests.dll"

torch_ok=0
if /usr/bin/python3 -c "import torch" >/dev/null 2>&1 && grep -q "^def $suite(" "$root/build/torch_bench.py"; then
  torch_ok=1
  [ -d /usr/lib/x86_64-linux-gnu/openblas-openmp ] || echo "warning: libopenblas0-openmp is missing; PyTorch would use reference BLAS, so no ratio is reported." >&2
  [ -d /usr/lib/x86_64-linux-gnu/openblas-openmp ] || torch_ok=0
fi

# The peer's environment (OpenBLAS, its core type, ATEN_CPU_CAPABILITY, threads): build/torch-peer-env.sh.
[ "$torch_ok" = 1 ] && source "$root/build/torch-peer-env.sh"

raw="$(mktemp)"
trap 'rm -f "$raw" "$raw.out"' EXIT
for ((i = 0; i < rounds; i++)); do
  dotnet "$dll" suite "$suite" >"$raw.out" || { cat "$raw.out"; echo "bench: suite $suite failed" >&2; exit 1; }
  grep '^RESULT' "$raw.out" >>"$raw"
  if [ "$torch_ok" = 1 ]; then
    env "${torch_peer_env[@]}" /usr/bin/python3 "$root/build/torch_bench.py" "$suite" | grep '^RESULT' >>"$raw"
  fi
done
if [ "$suite" = gemm ]; then
  dotnet "$dll" suite peak | grep '^RESULT' >>"$raw"
fi

# Best per name: the highest rate, or the lowest time.
awk '
  { name = $2; value = $3 + 0; unit = $4
    faster_is_higher = (unit ~ /\/s$/)
    if (!(name in best) || (faster_is_higher && value > best[name]) || (!faster_is_higher && value < best[name])) best[name] = value
    units[name] = unit; if (!(name in seen)) { seen[name] = 1; order[++n] = name } }
  END {
    for (i = 1; i <= n; i++) { k = order[i]; printf "RESULT %s %.5g %s\n", k, best[k], units[k] }
    peak = best["peak.fma_fp32"]
    for (i = 1; i <= n; i++) {
      k = order[i]
      if (k ~ /\.ours$/) {
        base = substr(k, 1, length(k) - 5); t = base ".pytorch"
        if (t in best) {
          r = (units[k] ~ /\/s$/) ? best[k] / best[t] : best[t] / best[k]
          printf "RATIO %s %.3f\n", base, r
        }
        o = base ".onnxruntime"
        if (o in best) {
          r = (units[k] ~ /\/s$/) ? best[k] / best[o] : best[o] / best[k]
          printf "RATIO %s.onnxruntime %.3f\n", base, r
        }
        if (peak > 0 && units[k] == "GFLOP/s") printf "RESULT %s.share_of_peak %.1f %%\n", base, 100 * best[k] / peak
      }
    }
  }' "$raw"
