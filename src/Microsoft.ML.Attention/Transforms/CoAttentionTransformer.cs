using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// The fitted co-attention text-pair classifier: <c>Score</c> (logit), <c>Probability</c>, <c>PredictedLabel</c> and,
/// on request, both co-attention matrices and the words of each text.
/// </summary>
/// <remarks>Save it with <c>mlContext.Model.SaveWithAttention</c>; ML.NET's own <c>Model.Save</c> is refused with a message that says so.</remarks>
public sealed class CoAttentionTransformer : ITransformer
{
    internal CoAttentionTransformer(CoAttentionPairModel model, Vocabulary vocabulary)
    {
        Model = model;
        Options = model.Options;
        Vocabulary = vocabulary;
        model.Eval();
    }

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    internal CoAttentionOptions Options { get; }

    internal CoAttentionPairModel Model { get; }

    internal Vocabulary Vocabulary { get; }

    /// <summary>Scores one pair of texts (both matrices included).</summary>
    /// <exception cref="InvalidOperationException">A text has no word.</exception>
    public CoAttentionScores Score(string first, string second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        return Score(first.AsMemory(), second.AsMemory(), row: 0);
    }

    /// <summary>
    /// The co-attention matrix of a pair as a PNG (<see cref="CoAttentionScores.FirstToSecond"/>: one row per word of the
    /// first text, one column per word of the second, each row shaded relative to its largest weight).
    /// </summary>
    public static byte[] RenderFirstToSecond(CoAttentionScores scores, int cellSize = 16)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cellSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cellSize, 256);
        return AttentionHeatmap.RenderMatrix(scores.FirstToSecond, scores.FirstWords.Length, scores.SecondWords.Length, cellSize);
    }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new CoAttentionMapper(this, inputSchema).OutputSchema;
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new CoAttentionMapper(this, inputSchema);
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new RowMapperDataView(input, new CoAttentionMapper(this, input.Schema));
    }

    /// <summary>Refused: ML.NET's model format has no public way to write an external transformer.</summary>
    /// <exception cref="NotSupportedException">Always; use <c>mlContext.Model.SaveWithAttention</c>.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException(
            "A CoAttentionTransformer cannot be saved with mlContext.Model.Save, which only writes ML.NET's own transformers. " +
            "Save the whole model with mlContext.Model.SaveWithAttention(model, inputSchema, path) and load it with mlContext.Model.LoadWithAttention(path, out schema).");

    /// <summary>Scores one pair without a tape, in a tensor scope.</summary>
    internal CoAttentionScores Score(ReadOnlyMemory<char> first, ReadOnlyMemory<char> second, long row)
    {
        string[] a = Words(Options, first, Options.FirstColumnName, row), b = Words(Options, second, Options.SecondColumnName, row);
        using TensorScope scope = TensorScope.Begin();
        using (GradMode.NoGrad())
        {
            CoAttentionResult co = Model.Forward(SourceBatch.From([Vocabulary.Encode(a)]), SourceBatch.From([Vocabulary.Encode(b)]), out Tensor logits);
            return new CoAttentionScores(logits.Item(), co.FirstToSecondWeights.ToArray(), co.SecondToFirstWeights.ToArray(), a, b);
        }
    }

    /// <summary>The words of a text, cut to MaximumLength, refusing a text without one by column and row.</summary>
    internal static string[] Words(CoAttentionOptions options, ReadOnlyMemory<char> text, string column, long row)
    {
        string[] words = Vocabulary.Tokenize(text.Span);
        if (words.Length == 0)
        {
            throw new InvalidOperationException($"{CoAttentionEstimator.Owner}: row {row} of column '{column}' has no words (the text is empty or only punctuation); every text needs at least one word.");
        }

        return words.Length > options.MaximumLength ? words[..options.MaximumLength] : words;
    }

    /// <summary>The text column <paramref name="name"/>, which must be a String scalar.</summary>
    internal static DataViewSchema.Column TextColumn(DataViewSchema schema, string name, string role)
    {
        DataViewSchema.Column column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), $"{CoAttentionEstimator.Owner}: {role} column '{name}' not found. Columns: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name))}.");
        return column.Type is TextDataViewType
            ? column
            : throw new ArgumentOutOfRangeException(nameof(schema), $"{CoAttentionEstimator.Owner}: {role} column '{name}' is {column.Type}; expected String.");
    }

    /// <summary>The optional output columns the options ask for, in order, with their item types.</summary>
    internal static IEnumerable<(string? Name, DataViewType Item)> ExtraColumns(CoAttentionOptions options) =>
        new (string?, DataViewType)[]
        {
            (options.FirstToSecondAttentionColumnName, NumberDataViewType.Single),
            (options.SecondToFirstAttentionColumnName, NumberDataViewType.Single),
            (options.FirstWordsColumnName, TextDataViewType.Instance),
            (options.SecondWordsColumnName, TextDataViewType.Instance),
        }.Where(c => c.Item1 is not null);
}
