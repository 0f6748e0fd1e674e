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
}
