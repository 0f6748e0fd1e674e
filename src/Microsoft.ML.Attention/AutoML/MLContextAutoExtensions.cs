namespace Microsoft.ML.Attention.AutoML;

/// <summary><c>mlContext.AttentionAuto()</c>, as ML.NET AutoML's <c>mlContext.Auto()</c> (a name of its own, so the two never clash).</summary>
public static class MLContextAutoExtensions
{
    /// <summary>The pack's AutoML catalog.</summary>
    public static AttentionAutoCatalog AttentionAuto(this MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return new AttentionAutoCatalog(mlContext);
    }
}
