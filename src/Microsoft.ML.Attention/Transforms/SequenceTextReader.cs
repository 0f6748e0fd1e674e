using Microsoft.ML.Attention.Models;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>Source and target texts to tokens under a sequence-to-sequence model's options, refusing bad rows by column and row.</summary>
internal sealed class SequenceTextReader(SequenceToSequenceOptions options)
{
    /// <summary>The tokens of a source text: at least one, at most <c>MaximumSourceLength</c>.</summary>
    internal string[] Source(ReadOnlyMemory<char> text, long row)
    {
        string[] tokens = SequenceTokenizer.Split(text.Span, options.Unit, options.LowerCase);
        if (tokens.Length == 0)
        {
            throw new InvalidOperationException(
                $"{SequenceToSequenceEstimator.Owner}: row {row} of source column '{options.SourceColumnName}' has no token (the text is empty or only white space); every source needs at least one.");
        }

        if (tokens.Length > options.MaximumSourceLength)
        {
            throw new InvalidOperationException(
                $"{SequenceToSequenceEstimator.Owner}: row {row} of source column '{options.SourceColumnName}' has {tokens.Length} tokens; MaximumSourceLength is {options.MaximumSourceLength}.");
        }

        return tokens;
    }

    /// <summary>The tokens of a training target: at most <c>MaximumTargetLength</c>.</summary>
    internal string[] Target(ReadOnlyMemory<char> text, long row)
    {
        string[] tokens = SequenceTokenizer.Split(text.Span, options.Unit, options.LowerCase);
        if (tokens.Length > options.MaximumTargetLength)
        {
            throw new InvalidOperationException(
                $"{SequenceToSequenceEstimator.Owner}: row {row} of target column '{options.TargetColumnName}' has {tokens.Length} tokens; MaximumTargetLength is {options.MaximumTargetLength}.");
        }

        return tokens;
    }

    /// <summary>The text column <paramref name="name"/> of <paramref name="schema"/>, which must be a String scalar.</summary>
    internal static DataViewSchema.Column TextColumn(DataViewSchema schema, string name, string role)
    {
        DataViewSchema.Column column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), $"{SequenceToSequenceEstimator.Owner}: {role} column '{name}' not found. Columns: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name))}.");
        return column.Type is TextDataViewType
            ? column
            : throw new ArgumentOutOfRangeException(nameof(schema), $"{SequenceToSequenceEstimator.Owner}: {role} column '{name}' is {column.Type}; expected String.");
    }
}
