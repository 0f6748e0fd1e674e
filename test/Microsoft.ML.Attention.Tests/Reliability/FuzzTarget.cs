namespace Microsoft.ML.Attention.Tests.Reliability;

/// <summary>
/// A file format the pack reads: a seed file, how a mutated copy is made (raw bytes, or one part of a structure with its
/// checksums redone so the parsers behind them are reached), how the pack reads it, and which exceptions are the
/// reader's contract for a damaged file. Anything else — another exception, a hang, an allocation past the limit — is
/// a finding.
/// </summary>
internal sealed record FuzzTarget(string Name, byte[] Seed, Func<FileMutator, byte[], byte[]> Mutate, Action<byte[]> Read, Type[] Contract);
