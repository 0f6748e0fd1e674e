using Microsoft.ML.Attention.Models;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// The fitted <see cref="HierarchicalAttentionEstimator"/>: scores each document into <c>Score</c> (class
/// probabilities) and <c>PredictedLabel</c> (a key with the training label's values), and on request the weight of
/// every sentence and of every word within its sentence, with the sentences and words they refer to.
/// </summary>
/// <remarks>
/// Save it with <c>mlContext.Model.SaveWithAttention</c>: ML.NET's own <c>Model.Save</c> cannot write an external
/// transformer and is refused with a message that says so.
/// </remarks>
public sealed class HierarchicalAttentionTransformer : ITransformer
{
    internal HierarchicalAttentionTransformer(HierarchicalAttentionModel model, Vocabulary vocabulary, string[]? labelValues, bool binary)
    {
        if (binary && model.Classes != 2)
        {
            throw new ArgumentException($"A binary model has 2 classes, not {model.Classes}.", nameof(binary));
        }

        Binary = binary;
        Model = model;
        Options = model.Options;
        Vocabulary = vocabulary;
        LabelValues = labelValues;
        Reader = new DocumentReader(Options, vocabulary);
        model.Eval();
    }

    /// <summary>Classes of the predicted label.</summary>
    public int Classes => Model.Classes;

    /// <summary>True for a binary classifier (Score, Probability, Boolean PredictedLabel); false for multiclass.</summary>
    public bool Binary { get; }

    /// <summary>The words known to the model by id (0 = padding, 1 = unknown).</summary>
    public IReadOnlyList<string> VocabularyWords => Vocabulary.Words;

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    internal HierarchicalAttentionOptions Options { get; }

    internal HierarchicalAttentionModel Model { get; }

    internal Vocabulary Vocabulary { get; }

    /// <summary>The training label's key values (class k at index k − 1), or null when it had none.</summary>
    internal string[]? LabelValues { get; }

    internal DocumentReader Reader { get; }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new HierarchicalAttentionMapper(this, inputSchema).OutputSchema;
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new HierarchicalAttentionMapper(this, inputSchema);
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new RowMapperDataView(input, new HierarchicalAttentionMapper(this, input.Schema));
    }

    /// <summary>Refused: ML.NET's model format has no public way to write an external transformer.</summary>
    /// <exception cref="NotSupportedException">Always; use <c>mlContext.Model.SaveWithAttention</c>.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException(
            "A HierarchicalAttentionTransformer cannot be saved with mlContext.Model.Save, which only writes ML.NET's own transformers. " +
            "Save the whole model with mlContext.Model.SaveWithAttention(model, inputSchema, path) and load it with mlContext.Model.LoadWithAttention(path, out schema).");

    /// <summary>The text column, checked.</summary>
    internal DataViewSchema.Column CheckInput(DataViewSchema schema)
    {
        DataViewSchema.Column column = schema.GetColumnOrNull(Options.TextColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), $"HierarchicalAttention: text column '{Options.TextColumnName}' not found. Columns: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name))}.");
        CheckText(column);
        return column;
    }

    internal static void CheckText(DataViewSchema.Column column)
    {
        if (column.Type is not TextDataViewType)
        {
            throw new ArgumentOutOfRangeException(nameof(column), $"HierarchicalAttention: text column '{column.Name}' has type {column.Type}; expected String.");
        }
    }
}
