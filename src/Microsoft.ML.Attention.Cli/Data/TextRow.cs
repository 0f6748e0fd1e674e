namespace Microsoft.ML.Attention.Cli.Data;

/// <summary>One labelled text; its two columns take the user's names through <see cref="TextDataset.Schema"/>.</summary>
internal sealed class TextRow
{
    /// <summary>The label as written (empty when scoring rows without one).</summary>
    public string Label { get; set; } = "";

    /// <summary>The text.</summary>
    public string Text { get; set; } = "";
}
