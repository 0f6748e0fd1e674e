namespace Microsoft.ML.Attention.AflFuzzing;

/// <summary>A file format under afl: its seed, how the pack reads it, and the exceptions that are the reader's contract for a damaged file.</summary>
internal sealed record AflTarget(string Name, Func<byte[]> Seed, Action<byte[]> Read, Type[] Contract)
{
    /// <summary>True when <paramref name="e"/> is one of the contract's exception types.</summary>
    public bool IsContract(Exception e) => Contract.Contains(e.GetType());
}
