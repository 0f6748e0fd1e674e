using Microsoft.ML.Attention.Onnx;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Text;

namespace Microsoft.ML;

/// <summary>
/// Converts a fitted chain holding the pack's transformers into a chain of ML.NET's own transformers, which plain
/// <c>mlContext.Model.Save</c> writes and an application referencing only <c>Microsoft.ML</c> and
/// <c>Microsoft.ML.OnnxTransformer</c> loads: each <see cref="AttentionEncodeTransformer"/> becomes the pack's text
/// preprocessing in ML.NET's transforms (<c>NormalizeText</c> to lower case, <c>TokenizeIntoWords</c> on the characters
/// that are not letters or digits, <c>MapValueToKey</c> over the model's vocabulary) followed by <c>ApplyOnnxModel</c> on
/// the encoder exported with <see cref="AttentionEncodeTransformer.ExportToOnnx"/>, then the temporary columns dropped;
/// ML.NET's own transformers are kept as they are.
/// </summary>
public static class AttentionOnnxChain
{
    /// <summary>
    /// Every UTF-16 code unit that is not a letter or a decimal digit (16,193 of them, surrogates included): the pack's
    /// words are the runs between them, so ML.NET's word tokenizer with these separators yields exactly the pack's words.
    /// ML.NET's tokenizer costs time in proportion to the number of separators for every word (14 ms for a 256-word text
    /// here), hence <see cref="CommonWordSeparators"/> by default.
    /// </summary>
    internal static readonly char[] AllWordSeparators = Separators((0, char.MaxValue));

    /// <summary>
    /// The non-letters, non-digits of the blocks text mostly draws its separators from (3,087, 2.5 ms for a 256-word text
    /// here): ASCII, Latin-1, the spacing modifiers and combining diacritics (U+0000–U+036F), general punctuation,
    /// super- and subscripts, currency, letter-like symbols, number forms, arrows, mathematical operators and technical
    /// symbols (U+2000–U+23FF), box drawing, geometric shapes, miscellaneous symbols and dingbats (U+2500–U+27BF), CJK
    /// symbols and punctuation (U+3000–U+303F), full-width punctuation (U+FF00–U+FF65), specials (U+FFF0–U+FFFF) and
    /// the surrogates of emoji (U+D83C–U+D83E, U+DC00–U+DFFF). ASCII first: the tokenizer tries them in order.
    /// </summary>
    internal static readonly char[] CommonWordSeparators = Separators(
        (0x0000, 0x036F), (0x2000, 0x23FF), (0x2500, 0x27BF), (0x3000, 0x303F), (0xFF00, 0xFF65), (0xFFF0, 0xFFFF), (0xD83C, 0xD83E), (0xDC00, 0xDFFF));

    private static char[] Separators(params (int First, int Last)[] ranges) =>
        [.. ranges.SelectMany(r => Enumerable.Range(r.First, r.Last - r.First + 1)).Select(c => (char)c).Where(c => !char.IsLetterOrDigit(c)).OrderBy(c => c < 128 ? 0 : 1)];

    /// <summary>
    /// The ML.NET-native equivalent of <paramref name="model"/>, for the data <paramref name="inputSchema"/> describes. The
    /// outputs keep their names and types (the embedding <c>Vector&lt;Single, d&gt;</c>, the attention weights when the
    /// model has them) and their values agree with the pack's to float rounding; the pack's words column
    /// (<c>TokensColumnName</c>) has no counterpart and is left out, and the embedding carries no slot names.
    /// </summary>
    /// <param name="mlContext">The context the new transformers are made in.</param>
    /// <param name="model">A fitted transformer or chain (nested chains are flattened).</param>
    /// <param name="inputSchema">The schema of the data the model scores.</param>
    /// <param name="exactTokenization">
    /// False (default): words are split on the non-letters of the common blocks (ASCII, Latin-1, combining diacritics, general
    /// punctuation, symbols, arrows, mathematical operators, dingbats, CJK and full-width punctuation, emoji), which gives the
    /// pack's words for such text; a punctuation mark of another script (e.g. Tibetan, Devanagari's danda) or an astral
    /// character other than an emoji is then kept inside its word. True: split on every non-letter, non-digit code unit
    /// (exactly the pack's words for any text), at about 5.5 times the tokenizing time.
    /// </param>
    /// <returns>A chain of ML.NET's transformers only.</returns>
    /// <exception cref="NotSupportedException">The chain holds a pack transformer that cannot become an <c>ApplyOnnxModel</c> chain (a classifier, the HAN, seq2seq); the message names it and why.</exception>
    public static TransformerChain<ITransformer> ToOnnxChain(this MLContext mlContext, ITransformer model, DataViewSchema inputSchema, bool exactTokenization = false)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        var result = new List<ITransformer>();
        DataViewSchema schema = inputSchema;
        foreach (ITransformer transformer in Flatten(model))
        {
            if (transformer is AttentionEncodeTransformer encoder)
            {
                result.AddRange(Convert(mlContext, encoder, schema, exactTokenization ? AllWordSeparators : CommonWordSeparators));
            }
            else if (transformer is ImageAttentionTransformer image)
            {
                result.Add(Convert(mlContext, image, schema));
            }
            else if (transformer is HierarchicalAttentionTransformer)
            {
                throw new NotSupportedException(
                    "ToOnnxChain: the chain holds a HierarchicalAttentionTransformer, whose input (a text split into sentences of words) " +
                    "no ML.NET transform produces, so it cannot become an ApplyOnnxModel chain. For ONNX Runtime, export the network with " +
                    "HierarchicalAttentionTransformer.ExportToOnnx (token ids from TokenIds); inside ML.NET, save this model with mlContext.Model.SaveWithAttention.");
            }
            else if (transformer.GetType().Namespace?.StartsWith("Microsoft.ML.Attention", StringComparison.Ordinal) == true)
            {
                throw new NotSupportedException(
                    $"ToOnnxChain: the chain holds a {transformer.GetType().Name}, whose outputs (a scalar Score, a key PredictedLabel or decoded text) " +
                    "ML.NET's ONNX transformer cannot rebuild: it gives vector columns only. Its ExportToOnnx graph serves ONNX Runtime directly; " +
                    "inside ML.NET, save this model with mlContext.Model.SaveWithAttention (AttentionEncode and ImageAttentionFeaturize do become native chains).");
            }
            else
            {
                result.Add(transformer);
            }

            schema = transformer.GetOutputSchema(schema);
        }

        return new TransformerChain<ITransformer>([.. result]);
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer model)
    {
        if (model is IEnumerable<ITransformer> chain)
        {
            foreach (ITransformer t in chain.SelectMany(Flatten))
            {
                yield return t;
            }

            yield break;
        }

        yield return model;
    }

    private static IEnumerable<ITransformer> Convert(MLContext ml, AttentionEncodeTransformer encoder, DataViewSchema schema, char[] separators)
    {
        encoder.GetOutputSchema(schema); // the pack's own input checks, with its messages
        DataViewSchema.Column input = schema[encoder.InputColumnName];
        string weights = encoder.AttentionWeightsColumnName ?? AttentionEncodeTransformer.OnnxWeightsOutputName;
        string[] outputs = encoder.AttentionWeightsColumnName is null ? [encoder.OutputColumnName] : [encoder.OutputColumnName, weights];
        var onnx = new MemoryStream();
        IDataView empty = EmptyView(ml, input);
        if (encoder.VocabularyWords is not { } vocabulary)
        {
            encoder.ExportToOnnx(onnx, schema, OnnxExportForm.MLNetRow);
            onnx.Position = 0;
            yield return ml.Transforms.ApplyOnnxModel(outputs, [input.Name], onnx).Fit(empty);
            yield break;
        }

        string stem = $"{encoder.OutputColumnName}.onnx-chain.";
        string lower = stem + "Lower", words = stem + "Words", keys = stem + "Keys";
        IDataView keyData = ml.Data.LoadFromEnumerable(vocabulary.Select(w => new VocabularyRow { Word = w }));
        encoder.ExportToOnnx(onnx, schema, OnnxExportForm.MLNetRow, onnxInputName: keys);
        onnx.Position = 0;
        var pipeline = ml.Transforms.Text.NormalizeText(lower, input.Name, TextNormalizingEstimator.CaseMode.Lower, keepDiacritics: true, keepPunctuations: true, keepNumbers: true)
            .Append(ml.Transforms.Text.TokenizeIntoWords(words, lower, separators))
            .Append(ml.Transforms.Conversion.MapValueToKey(keys, words, keyData: keyData))
            .Append(ml.Transforms.ApplyOnnxModel(outputs, [keys], onnx))
            .Append(ml.Transforms.DropColumns(lower, words, keys));
        foreach (ITransformer t in pipeline.Fit(empty))
        {
            yield return t;
        }
    }

    /// <summary>The featurizer as <c>ApplyOnnxModel</c> on the pixel column (the network takes ExtractPixels' planar floats as they are).</summary>
    private static ITransformer Convert(MLContext ml, ImageAttentionTransformer image, DataViewSchema schema)
    {
        if (!image.Featurizer)
        {
            throw new NotSupportedException(
                "ToOnnxChain: an ImageAttention classifier's PredictedLabel is a key ML.NET's ONNX transformer cannot rebuild. " +
                "For a native chain, train mlContext.Transforms.ImageAttentionFeaturize followed by an ML.NET trainer; for the class " +
                "probabilities alone, ImageAttentionTransformer.ExportToOnnx.");
        }

        image.GetOutputSchema(schema); // the pack's own input checks, with its messages
        string[] outputs = image.AttentionMapColumnName is { } map ? [image.EmbeddingColumnName, map] : [image.EmbeddingColumnName];
        var onnx = new MemoryStream();
        image.ExportToOnnx(onnx, schema, OnnxExportForm.MLNetRow);
        onnx.Position = 0;
        return ml.Transforms.ApplyOnnxModel(outputs, [image.FeatureColumnName], onnx).Fit(EmptyView(ml, schema[image.FeatureColumnName]));
    }

    /// <summary>No rows, one column like <paramref name="column"/>: what the new transformers are fitted on (they learn nothing from rows).</summary>
    private static IDataView EmptyView(MLContext ml, DataViewSchema.Column column)
    {
        SchemaDefinition definition = SchemaDefinition.Create(typeof(InputRow));
        SchemaDefinition.Column text = definition[nameof(InputRow.Text)], vectorColumn = definition[nameof(InputRow.Vector)];
        if (column.Type is VectorDataViewType vector)
        {
            definition.Remove(text);
            vectorColumn.ColumnName = column.Name;
            vectorColumn.ColumnType = vector;
        }
        else
        {
            definition.Remove(vectorColumn);
            text.ColumnName = column.Name;
        }

        return ml.Data.LoadFromEnumerable(new List<InputRow>(), definition);
    }

    private sealed class VocabularyRow
    {
        public string Word { get; set; } = "";
    }

    private sealed class InputRow
    {
        public string Text { get; set; } = "";

        public float[] Vector { get; set; } = [];
    }
}
