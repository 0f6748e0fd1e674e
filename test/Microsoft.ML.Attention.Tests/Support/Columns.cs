using Microsoft.ML.Attention.Models;

namespace Microsoft.ML.Attention.Tests.Support;

/// <summary>Test shorthand: a copy of shared options with the columns of one pipeline set.</summary>
internal static class Columns
{
    public static AttentionEncodeOptions With(this AttentionEncodeOptions options, string output, string input, string label = "Label")
    {
        AttentionEncodeOptions copy = options.Clone();
        copy.OutputColumnName = output;
        copy.InputColumnName = input;
        copy.LabelColumnName = label;
        return copy;
    }
}
