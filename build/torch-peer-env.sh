#!/usr/bin/env bash
# Sourced by build/bench.sh and build/eval.sh: sets torch_peer_env, the environment (an array for `env`) that runs
# PyTorch as ../shared/docs/pytorch-peer.md says: OpenBLAS (not Debian's reference BLAS) with its AVX-512 kernels,
# ATEN_CPU_CAPABILITY=avx512 (avx2 on a CPU without AVX-512), the usual malloc thresholds, and 2 threads.
# OpenBLAS 0.3.21 (Debian 12) does not know every CPU: on an Emerald Rapids Xeon (family 6, model 207) it falls back
# to its generic Prescott kernels, 45 GFLOP/s on a 1024 matmul instead of 295. When it names a kernel without AVX-512
# on a CPU with it, the core type is set (Cooperlake with AVX512-BF16, else SkylakeX) and a note goes to stderr.
openblas_dir=/usr/lib/x86_64-linux-gnu/openblas-openmp
torch_capability=avx2
grep -qw avx512f /proc/cpuinfo && torch_capability=avx512
torch_peer_env=(-u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE LD_LIBRARY_PATH=$openblas_dir ATEN_CPU_CAPABILITY=$torch_capability
  OMP_NUM_THREADS=2 MALLOC_MMAP_THRESHOLD_=67108864 MALLOC_TRIM_THRESHOLD_=134217728)
if [ "$torch_capability" = avx512 ] && [ -e "$openblas_dir/libopenblas.so.0" ]; then
  openblas_core="$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 -c "
import ctypes
lib = ctypes.CDLL('$openblas_dir/libopenblas.so.0')
lib.openblas_get_corename.restype = ctypes.c_char_p
print(lib.openblas_get_corename().decode())" 2>/dev/null || true)"
  case "${openblas_core,,}" in
    skylakex | cooperlake | sapphirerapids | "") ;;
    *)
      forced=SKYLAKEX
      grep -qw avx512_bf16 /proc/cpuinfo && forced=COOPERLAKE
      echo "note: OpenBLAS picks its $openblas_core kernels on this AVX-512 CPU; PyTorch runs with OPENBLAS_CORETYPE=$forced." >&2
      torch_peer_env+=(OPENBLAS_CORETYPE=$forced)
      ;;
  esac
fi
