namespace Microsoft.ML;

/// <summary>The pack's entry on the <see cref="MLContext"/>: <c>mlContext.Attention()</c>.</summary>
public static class MLContextAttentionExtensions
{
    /// <summary>The pack's estimators, bound to this context (its seed and its log).</summary>
    /// <param name="mlContext">The context.</param>
    public static AttentionCatalog Attention(this MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return new AttentionCatalog(mlContext);
    }
}
