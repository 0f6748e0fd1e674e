namespace Microsoft.ML.Attention.Tensors;

/// <summary>How the engine's kernels use the machine's cores.</summary>
public static class EngineThreads
{
    /// <summary>Threads a kernel spreads its work over when called outside <see cref="OnCallingThreadOnly"/>: one per core.</summary>
    public static int Count => Environment.ProcessorCount;

    /// <summary>
    /// Until the returned scope is disposed (on the same thread), every kernel this thread runs uses this thread alone.
    /// For callers that run several computations at once on threads of their own (one scoring cursor per core), so
    /// that the engine does not add its workers to theirs. Scopes nest.
    /// </summary>
    /// <returns>The scope; dispose it on the thread that began it.</returns>
    public static IDisposable OnCallingThreadOnly() => CpuParallel.Serial();

    /// <summary>
    /// Threads the calling thread's kernels spread over now: <see cref="Count"/>, or 1 inside
    /// <see cref="OnCallingThreadOnly"/> and inside a piece of <see cref="ForEachPiece"/>.
    /// </summary>
    public static int Available => CpuParallel.Degree;

    /// <summary>
    /// Runs <paramref name="body"/>(i) for every i in [0, <paramref name="count"/>), the pieces spread over the engine's
    /// threads and every kernel of a piece on the thread that runs it. For a job that splits into independent pieces
    /// (the parts of a batch) made of kernels too short to gain from being spread one by one. The first exception a
    /// piece throws is rethrown once all have stopped.
    /// </summary>
    public static void ForEachPiece(int count, Action<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        CpuParallel.For(count, body);
    }
}
