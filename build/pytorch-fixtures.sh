#!/usr/bin/env bash
# Regenerates the PyTorch weight-interchange fixtures (test/Microsoft.ML.Attention.Tests/Fixtures/pytorch) and checks the
# pack -> PyTorch direction in PyTorch itself:
#   1. PyTorch trains build/pytorch/attention_encoder.py's module and writes torch-encoder.safetensors + its outputs;
#   2. the pack trains its AttentionEncode on the same vocabulary and writes pack-encoder.safetensors (SaveWeights) + outputs;
#   3. PyTorch loads pack-encoder.safetensors with load_state_dict(strict=True) and must reproduce the pack's outputs (1e-4).
# Needs Debian's python3-torch (/usr/bin/python3); the C# tests then need no Python.
set -euo pipefail
cd "$(dirname "$0")/.."
fixtures=test/Microsoft.ML.Attention.Tests/Fixtures/pytorch
/usr/bin/python3 build/pytorch/attention_encoder.py export-torch "$fixtures"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
ATTENTION_WRITE_PYTORCH_FIXTURE="$out" dotnet test test/Microsoft.ML.Attention.Tests -c Release \
  --filter "FullyQualifiedName~PyTorchInterchangeTests.PackWeightsCommittedForPyTorch" >/dev/null || true   # checks the old files
cp "$out/pack-encoder.safetensors" "$out/pack-encoder-cases.json" "$fixtures/"
/usr/bin/python3 build/pytorch/attention_encoder.py check-pack "$fixtures"
dotnet test test/Microsoft.ML.Attention.Tests -c Release --filter "FullyQualifiedName~PyTorchInterchangeTests"
