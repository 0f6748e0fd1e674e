namespace Microsoft.ML.Attention.Models;

/// <summary>
/// A cancellation token that flows with the code that trains (an <see cref="AsyncLocal{T}"/>), checked by the pack's
/// trainers once per batch, so that a caller running a <c>Fit</c> under a deadline (a sweep's time budget) can stop it
/// within one batch. Outside <see cref="Use"/> nothing is ever cancelled.
/// </summary>
internal static class TrainingCancellation
{
    private static readonly AsyncLocal<CancellationToken> s_token = new();

    /// <summary>Until disposed, the training this flow runs stops with <see cref="OperationCanceledException"/> once <paramref name="token"/> is cancelled.</summary>
    internal static Scope Use(CancellationToken token)
    {
        CancellationToken outer = s_token.Value;
        s_token.Value = token;
        return new Scope(outer);
    }

    /// <summary>Throws <see cref="OperationCanceledException"/> when the flow's token is cancelled.</summary>
    internal static void ThrowIfRequested() => s_token.Value.ThrowIfCancellationRequested();

    /// <summary>Restores the token that held before <see cref="Use"/>.</summary>
    internal readonly struct Scope(CancellationToken outer) : IDisposable
    {
        public void Dispose() => s_token.Value = outer;
    }
}
