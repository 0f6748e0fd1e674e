using Microsoft.ML.Attention.AutoML;
using Microsoft.ML.Attention.Cli.Data;
using Microsoft.ML.Attention.Cli.Output;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Attention.Cli.Scoring;

/// <summary>
/// A classifier saved by <c>text-classification</c> or <c>image-classification</c> (or any chain over a label and one
/// String input column — a text or an image path — ending in <c>PredictedLabel</c>).
/// </summary>
internal sealed class ClassifierModel
{
    private readonly MLContext _mlContext;

    /// <summary>The pixel column the image models keep (the input of their attention network).</summary>
    public const string PixelsColumnName = "Pixels";

    private ClassifierModel(MLContext mlContext, ITransformer model, ModelInfo? info, string labelColumn, string textColumn)
    {
        _mlContext = mlContext;
        Model = model;
        Info = info;
        LabelColumn = labelColumn;
        InputColumn = textColumn;
    }

    /// <summary>The fitted chain.</summary>
    public ITransformer Model { get; }

    /// <summary>The command line's description of it, when it was saved beside the model.</summary>
    public ModelInfo? Info { get; }

    /// <summary>The label column.</summary>
    public string LabelColumn { get; }

    /// <summary>The input column: the text, or the image path.</summary>
    public string InputColumn { get; }

    /// <summary>Whether the input is an image path (an <c>image-classification</c> model).</summary>
    public bool IsImage => Info?.Task == ModelInfo.ImageTask;

    /// <summary>The classes in the order of the <c>Score</c> vector (the label key's values; "0", "1", … when it has none).</summary>
    public IReadOnlyList<string> ScoreClasses
    {
        get
        {
            DataViewSchema output = Model.GetOutputSchema(Schema);
            int size = output["Score"].Type is VectorDataViewType { Size: > 0 } v ? v.Size : 0;
            VBuffer<ReadOnlyMemory<char>> keys = default;
            if (output.GetColumnOrNull(LabelColumn) is { } label && label.HasKeyValues())
            {
                label.GetKeyValues(ref keys);
            }

            string[] names = [.. keys.DenseValues().Select(k => k.ToString())];
            return names.Length == size ? names : [.. Enumerable.Range(0, size).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        }
    }

    /// <summary>Whether the model outputs word weights.</summary>
    public bool HasAttention => IsImage
        ? ImageNetwork(Model) is not null && Model.GetOutputSchema(Schema).GetColumnOrNull(PixelsColumnName) is not null
        : Model.GetOutputSchema(Schema).GetColumnOrNull(AttentionAutoCatalog.WordAttentionColumnName) is not null;

    private DataViewSchema Schema => _mlContext.Data.LoadFromEnumerable(Array.Empty<InputRow>(), InputRow.Schema(LabelColumn, InputColumn)).Schema;

    /// <summary>Loads <paramref name="path"/> and works out its columns (from <c>model.json</c> beside it, else from its saved input schema).</summary>
    /// <exception cref="CliException">A missing or damaged file, or a model that is not a classifier.</exception>
    public static ClassifierModel Load(MLContext mlContext, string path, string? labelColumn)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"--model: the model file '{path}' does not exist.");
        }

        ITransformer model;
        DataViewSchema? schema;
        try
        {
            model = mlContext.Model.LoadWithAttention(path, out schema);
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException or IOException)
        {
            throw new CliException($"--model: '{path}' cannot be loaded: {e.Message}", e);
        }

        ModelInfo? info = ModelInfo.ForModel(path);
        string label = labelColumn ?? info?.LabelColumn ?? "Label";
        string[] strings = schema is null ? [] : [.. schema.Where(c => c.Type is TextDataViewType).Select(c => c.Name)];
        string? text = info?.InputColumn ?? strings.FirstOrDefault(n => n != label);
        if (text is null || (schema is not null && schema.GetColumnOrNull(text) is null))
        {
            throw new CliException($"--model: '{path}' does not read a text or image-path column besides the label '{label}' (its input columns: {(schema is null ? "not saved" : string.Join(", ", schema.Select(c => $"'{c.Name}' ({c.Type})")))}).");
        }

        var loaded = new ClassifierModel(mlContext, model, info, label, text);
        if (model.GetOutputSchema(loaded.Schema).GetColumnOrNull("PredictedLabel") is null)
        {
            throw new CliException($"--model: '{path}' has no PredictedLabel column; it is not a classifier.");
        }

        return loaded;
    }

    /// <summary>An image's prediction and its attention map drawn over it (PNG), for an image model with attention.</summary>
    /// <exception cref="CliException">The model is not an image attention model.</exception>
    public (Prediction Prediction, byte[] Png) ExplainImage(string imagePath)
    {
        ImageAttentionTransformer network = ImageNetwork(Model) ?? throw new CliException("--model: this model has no image attention network to explain.");
        Prediction prediction = Score([new InputRow { Input = imagePath }], attention: true)[0];
        return (prediction, network.RenderHeatmap(prediction.Pixels ?? throw new CliException($"--model: this model has no '{PixelsColumnName}' column to draw on.")));
    }

    /// <summary>The image attention network in a (nested) chain, or null.</summary>
    private static ImageAttentionTransformer? ImageNetwork(ITransformer model) => model switch
    {
        ImageAttentionTransformer t => t,
        IEnumerable<ITransformer> chain => chain.Select(ImageNetwork).FirstOrDefault(t => t is not null),
        _ => null,
    };

    /// <summary>The model up to its scores (the final mapping of keys back to label values removed), as <c>Evaluate</c> needs it.</summary>
    public ITransformer ForEvaluation() =>
        Model is TransformerChain<ITransformer> chain && chain.LastTransformer is KeyToValueMappingTransformer
            ? new TransformerChain<ITransformer>([.. chain.Take(chain.Count() - 1)])
            : Model;

    /// <summary>Scores <paramref name="rows"/> in one <c>Transform</c> (the model's transformers score them in blocks).</summary>
    /// <param name="rows">The texts (labels may be empty).</param>
    /// <param name="attention">Also read the attention columns (when the model has them), and an image model's pixels.</param>
    public List<Prediction> Score(IReadOnlyList<InputRow> rows, bool attention = false)
    {
        IDataView scored = Model.Transform(_mlContext.Data.LoadFromEnumerable(rows, InputRow.Schema(LabelColumn, InputColumn)));
        DataViewSchema.Column predicted = scored.Schema["PredictedLabel"];
        DataViewSchema.Column score = scored.Schema["Score"];
        DataViewSchema.Column? words = attention ? scored.Schema.GetColumnOrNull(AttentionAutoCatalog.WordsColumnName) : null;
        DataViewSchema.Column? weights = attention ? scored.Schema.GetColumnOrNull(AttentionAutoCatalog.WordAttentionColumnName) : null;
        DataViewSchema.Column? sentences = attention ? scored.Schema.GetColumnOrNull(AttentionAutoCatalog.SentencesColumnName) : null;
        DataViewSchema.Column? sentenceWeights = attention ? scored.Schema.GetColumnOrNull(AttentionAutoCatalog.SentenceAttentionColumnName) : null;
        DataViewSchema.Column? pixels = attention && IsImage ? scored.Schema.GetColumnOrNull(PixelsColumnName) : null;
        DataViewSchema.Column[] active = [.. new[] { predicted, score, words, weights, sentences, sentenceWeights, pixels }.OfType<DataViewSchema.Column>()];
        var results = new List<Prediction>(rows.Count);
        using DataViewRowCursor cursor = scored.GetRowCursor(active);
        ValueGetter<ReadOnlyMemory<char>> getPredicted = cursor.GetGetter<ReadOnlyMemory<char>>(predicted);
        ValueGetter<VBuffer<float>> getScore = cursor.GetGetter<VBuffer<float>>(score);
        ValueGetter<VBuffer<ReadOnlyMemory<char>>>? getWords = words is { } w ? cursor.GetGetter<VBuffer<ReadOnlyMemory<char>>>(w) : null;
        ValueGetter<VBuffer<float>>? getWeights = weights is { } a ? cursor.GetGetter<VBuffer<float>>(a) : null;
        ValueGetter<VBuffer<ReadOnlyMemory<char>>>? getSentences = sentences is { } s ? cursor.GetGetter<VBuffer<ReadOnlyMemory<char>>>(s) : null;
        ValueGetter<VBuffer<float>>? getSentenceWeights = sentenceWeights is { } sw ? cursor.GetGetter<VBuffer<float>>(sw) : null;
        ValueGetter<VBuffer<float>>? getPixels = pixels is { } px ? cursor.GetGetter<VBuffer<float>>(px) : null;
        ReadOnlyMemory<char> label = default;
        VBuffer<float> scores = default, floats = default;
        VBuffer<ReadOnlyMemory<char>> texts = default;
        while (cursor.MoveNext())
        {
            getPredicted(ref label);
            getScore(ref scores);
            string[]? wordList = null, sentenceList = null;
            float[]? wordWeights = null, sentenceWeightList = null;
            if (getWords is not null && getWeights is not null)
            {
                getWords(ref texts);
                wordList = [.. texts.DenseValues().Select(t => t.ToString())];
                getWeights(ref floats);
                wordWeights = [.. floats.DenseValues().Take(wordList.Length)];
            }

            if (getSentences is not null && getSentenceWeights is not null)
            {
                getSentences(ref texts);
                sentenceList = [.. texts.DenseValues().Select(t => t.ToString())];
                getSentenceWeights(ref floats);
                sentenceWeightList = [.. floats.DenseValues().Take(sentenceList.Length)];
            }

            float[]? pixelValues = null;
            if (getPixels is not null)
            {
                getPixels(ref floats);
                pixelValues = [.. floats.DenseValues()];
            }

            results.Add(new Prediction(label.ToString(), [.. scores.DenseValues()], wordList, wordWeights, sentenceList, sentenceWeightList, pixelValues));
        }

        return results;
    }
}
