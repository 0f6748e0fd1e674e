#!/usr/bin/env bash
# Regenerates the PyTorch weight-interchange fixtures (test/Microsoft.ML.Attention.Tests/Fixtures/pytorch) and checks the
# pack -> PyTorch direction in PyTorch itself, for every model: build/pytorch/<model>.py holds its network as an
# nn.Module (AttentionEncode, the hierarchical attention network, the image attention network, the glimpse classifier,
# seq2seq, time-step attention, co-attention):
#   1. PyTorch trains each script's module and writes torch-*.safetensors + its outputs;
#   2. the pack trains its model and writes pack-*.safetensors (SaveWeights) + its outputs (the *InterchangeTests);
#   3. PyTorch loads each pack-*.safetensors with load_state_dict(strict=True) and must reproduce the pack's outputs (1e-4).
# Needs Debian's python3-torch (/usr/bin/python3); the C# tests then need no Python.
set -euo pipefail
cd "$(dirname "$0")/.."
fixtures=test/Microsoft.ML.Attention.Tests/Fixtures/pytorch
models=(attention_encoder hierarchical_attention image_attention recurrent_attention sequence_to_sequence time_step_attention co_attention)
for model in "${models[@]}"; do
  /usr/bin/python3 "build/pytorch/$model.py" export-torch "$fixtures"
done
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
ATTENTION_WRITE_PYTORCH_FIXTURE="$out" dotnet test test/Microsoft.ML.Attention.Tests -c Release \
  --filter "FullyQualifiedName~InterchangeTests.PackWeightsCommittedForPyTorch" >/dev/null || true   # checks the old files
cp "$out"/pack-* "$fixtures/"
for model in "${models[@]}"; do
  /usr/bin/python3 "build/pytorch/$model.py" check-pack "$fixtures"
done
dotnet test test/Microsoft.ML.Attention.Tests -c Release --filter "FullyQualifiedName~InterchangeTests"
