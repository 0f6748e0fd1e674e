using Microsoft.ML.Attention.Models;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// The fitted encoder–decoder: decodes every source text (greedily, or by beam search when the options' beam width
/// exceeds 1) into the output column and, on request, the alignment and both sides' tokens.
/// </summary>
/// <remarks>Save it with <c>mlContext.Model.SaveWithAttention</c>; ML.NET's own <c>Model.Save</c> is refused with a message that says so.</remarks>
public sealed class SequenceToSequenceTransformer : ITransformer
{
    private readonly SequenceTextReader _reader;

    internal SequenceToSequenceTransformer(SequenceToSequenceModel model, Vocabulary sourceVocabulary, Vocabulary targetVocabulary)
    {
        Model = model;
        Options = model.Options;
        SourceVocabulary = sourceVocabulary;
        TargetVocabulary = targetVocabulary;
        _reader = new SequenceTextReader(Options);
        model.Eval();
    }

    /// <summary>Source tokens known (markers included).</summary>
    public int SourceVocabularySize => SourceVocabulary.Count;

    /// <summary>Target tokens the decoder can write (markers included).</summary>
    public int TargetVocabularySize => TargetVocabulary.Count;

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    internal SequenceToSequenceOptions Options { get; }

    internal SequenceToSequenceModel Model { get; }

    internal Vocabulary SourceVocabulary { get; }

    internal Vocabulary TargetVocabulary { get; }

    /// <summary>
    /// Decodes <paramref name="sources"/> in batches of the options' <c>DecodeBatchSize</c>, as <c>Transform</c> does.
    /// </summary>
    /// <exception cref="InvalidOperationException">A source has no token or more than <c>MaximumSourceLength</c>; the message gives its index.</exception>
    public IReadOnlyList<SequenceToSequencePrediction> Predict(IReadOnlyList<string> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        return Predict([.. sources.Select(s => s.AsMemory())], first: 0);
    }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new SequenceToSequenceMapper(this, inputSchema).OutputSchema;
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new SequenceToSequenceMapper(this, inputSchema);
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new SequenceToSequenceDataView(input, this);
    }

    /// <summary>Refused: ML.NET's model format has no public way to write an external transformer.</summary>
    /// <exception cref="NotSupportedException">Always; use <c>mlContext.Model.SaveWithAttention</c>.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException(
            "A SequenceToSequenceTransformer cannot be saved with mlContext.Model.Save, which only writes ML.NET's own transformers. " +
            "Save the whole model with mlContext.Model.SaveWithAttention(model, inputSchema, path) and load it with mlContext.Model.LoadWithAttention(path, out schema).");

    /// <summary>Decodes sources whose rows are numbered from <paramref name="first"/> (for error messages).</summary>
    internal SequenceToSequencePrediction[] Predict(IReadOnlyList<ReadOnlyMemory<char>> sources, long first)
    {
        var results = new SequenceToSequencePrediction[sources.Count];
        for (int start = 0; start < sources.Count; start += Options.DecodeBatchSize)
        {
            int count = Math.Min(Options.DecodeBatchSize, sources.Count - start);
            string[][] tokens = [.. Enumerable.Range(start, count).Select(i => _reader.Source(sources[i], first + i))];
            SourceBatch batch = SourceBatch.From([.. tokens.Select(SourceVocabulary.Encode)]);
            DecodedSequence[] decoded = Options.BeamWidth == 1
                ? SequenceDecoder.Greedy(Model, batch, Options.MaximumTargetLength)
                : SequenceDecoder.Beam(Model, batch, Options.BeamWidth, Options.LengthPenalty, Options.MaximumTargetLength);
            for (int i = 0; i < count; i++)
            {
                string[] output = [.. decoded[i].Tokens.Select(id => TargetVocabulary.Words[id])];
                results[start + i] = new SequenceToSequencePrediction(SequenceTokenizer.Join(output, Options.Unit), tokens[i], output, decoded[i].Alignment);
            }
        }

        return results;
    }

    /// <summary>The source column, checked to be text.</summary>
    internal DataViewSchema.Column CheckInput(DataViewSchema schema) => SequenceTextReader.TextColumn(schema, Options.SourceColumnName, "source");
}
