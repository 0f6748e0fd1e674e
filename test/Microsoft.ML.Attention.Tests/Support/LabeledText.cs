using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests.Support;

/// <summary>A row of the tests' TSV files: the label in column 0, the text in column 1.</summary>
public sealed class LabeledText
{
    [LoadColumn(0)]
    public string Label { get; set; } = "";

    [LoadColumn(1)]
    public string Text { get; set; } = "";
}
