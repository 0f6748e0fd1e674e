namespace Microsoft.ML.Attention.Models;

/// <summary>
/// Everything <c>AttentionEncode</c> needs: the columns, the encoder's architecture, how it is trained and what it
/// outputs. The one options type of the estimator: it is validated once when the estimator is created, copied so
/// later changes do not reach a created estimator, carried down to the model and saved with the fitted transformer.
/// Every default is a public constant of <see cref="Defaults"/>.
/// </summary>
public sealed class AttentionEncodeOptions
{
    /// <summary>The defaults of <see cref="AttentionEncodeOptions"/> and of the simple catalog overload.</summary>
    public static class Defaults
    {
        /// <summary>The embedding column created.</summary>
        public const string OutputColumnName = "Embedding";

        /// <summary>The text or float-vector column read.</summary>
        public const string InputColumnName = "Text";

        /// <summary>The label column trained against.</summary>
        public const string LabelColumnName = "Label";

        /// <summary>Model width, the size of the embedding.</summary>
        public const int ModelDimension = 64;

        /// <summary>Attention heads.</summary>
        public const int Heads = 4;

        /// <summary>Encoder layers.</summary>
        public const int Layers = 2;

        /// <summary>Hidden width of each layer's feed-forward network.</summary>
        public const int FeedForwardDimension = 128;

        /// <summary>Dropout in training.</summary>
        public const float Dropout = 0.1f;

        /// <summary>Most passes over the training data.</summary>
        public const int Epochs = 10;

        /// <summary>Rows per training step.</summary>
        public const int BatchSize = 32;

        /// <summary>AdamW learning rate.</summary>
        public const float LearningRate = 1e-3f;

        /// <summary>AdamW decoupled weight decay.</summary>
        public const float WeightDecay = 0.01f;

        /// <summary>Gradient norm clip.</summary>
        public const float GradientClipNorm = 1f;

        /// <summary>Share of the rows held out for early stopping.</summary>
        public const float ValidationFraction = 0.1f;

        /// <summary>Epochs without validation improvement before training stops.</summary>
        public const int EarlyStoppingPatience = 3;

        /// <summary>Longest text in words, or vector in steps.</summary>
        public const int MaximumLength = 64;

        /// <summary>Vocabulary size including the padding and unknown markers.</summary>
        public const int VocabularySize = 10000;

        /// <summary>Rows <c>Transform</c> scores in one forward pass.</summary>
        public const int ScoringBatchSize = 64;
    }

    /// <summary>The embedding column to create (float vector of <see cref="ModelDimension"/> with slot names). Default "Embedding".</summary>
    public string OutputColumnName { get; set; } = Defaults.OutputColumnName;

    /// <summary>The input column: text (String), or a fixed-size Vector&lt;Single&gt; read as steps of <see cref="StepSize"/>. Default "Text".</summary>
    public string InputColumnName { get; set; } = Defaults.InputColumnName;

    /// <summary>The label column: a key (classes, e.g. from <c>MapValueToKey</c>), Boolean (two classes) or Single (regression). Default "Label".</summary>
    public string LabelColumnName { get; set; } = Defaults.LabelColumnName;

    /// <summary>Model width, the size of the output embedding. Default 64.</summary>
    public int ModelDimension { get; set; } = Defaults.ModelDimension;

    /// <summary>Attention heads; must divide <see cref="ModelDimension"/>. Default 4.</summary>
    public int Heads { get; set; } = Defaults.Heads;

    /// <summary>Encoder layers. Default 2.</summary>
    public int Layers { get; set; } = Defaults.Layers;

    /// <summary>Hidden width of each layer's feed-forward network. Default 128.</summary>
    public int FeedForwardDimension { get; set; } = Defaults.FeedForwardDimension;

    /// <summary>Dropout in training, in [0, 1). Default 0.1.</summary>
    public float Dropout { get; set; } = Defaults.Dropout;

    /// <summary>Most passes over the training data. Default 10.</summary>
    public int Epochs { get; set; } = Defaults.Epochs;

    /// <summary>Rows per training step. Default 32.</summary>
    public int BatchSize { get; set; } = Defaults.BatchSize;

    /// <summary>AdamW learning rate. Default 1e-3.</summary>
    public float LearningRate { get; set; } = Defaults.LearningRate;

    /// <summary>AdamW decoupled weight decay (0 = none). Default 0.01.</summary>
    public float WeightDecay { get; set; } = Defaults.WeightDecay;

    /// <summary>Largest global gradient norm before a step (0 = no clipping). Default 1.</summary>
    public float GradientClipNorm { get; set; } = Defaults.GradientClipNorm;

    /// <summary>Share of the rows held out for early stopping (0 = none). Default 0.1.</summary>
    public float ValidationFraction { get; set; } = Defaults.ValidationFraction;

    /// <summary>Epochs without validation improvement before training stops. Default 3.</summary>
    public int EarlyStoppingPatience { get; set; } = Defaults.EarlyStoppingPatience;

    /// <summary>Longest text in words (text input) or in steps (vector input). Default 64.</summary>
    public int MaximumLength { get; set; } = Defaults.MaximumLength;

    /// <summary>Longer texts are cut to <see cref="MaximumLength"/> instead of being refused. Default false.</summary>
    public bool TruncateLongText { get; set; }

    /// <summary>Vocabulary size including the padding and unknown markers (text input). Default 10000.</summary>
    public int VocabularySize { get; set; } = Defaults.VocabularySize;

    /// <summary>Floats per step when the input is a float vector; the vector size must be a multiple. Default 0 (text input).</summary>
    public int StepSize { get; set; }

    /// <summary>Name of an extra output column with the pooling weight of every word or step (0 on padding); null for none. Default null.</summary>
    public string? AttentionWeightsColumnName { get; set; }

    /// <summary>Name of an extra output column with the words the weights refer to (text input); null for none. Default null.</summary>
    public string? TokensColumnName { get; set; }

    /// <summary>
    /// Rows <c>Transform</c> reads ahead and scores in one forward pass (sorted by length inside the block, so padding
    /// stays small); 1 scores row by row. A scoring setting, not a training one: it does not change what is learned,
    /// and the embeddings differ from row-by-row scoring only by float rounding. Default 64.
    /// </summary>
    public int ScoringBatchSize { get; set; } = Defaults.ScoringBatchSize;

    /// <summary>
    /// A folder where training writes a checkpoint at the end of every epoch (file
    /// <c>attention-encode.checkpoint</c>: weights, optimizer state, the generator's state, the epoch; written atomically,
    /// so a killed process leaves the previous one); null for none. The folder must exist. Default null.
    /// </summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>
    /// With <see cref="CheckpointDirectory"/>: continue from its checkpoint when there is one (e.g. after the process was
    /// killed), ending exactly where an uninterrupted run with the same seed ends; without a checkpoint, train from the
    /// start. A checkpoint of another run (other options, data or vocabulary) is refused. Default false.
    /// </summary>
    public bool ResumeFromCheckpoint { get; set; }

    /// <summary>Training seed; null draws one from the <c>MLContext</c>'s seeded generator. Default null.</summary>
    public int? Seed { get; set; }

    /// <summary>True when the input is text, false when it is a float vector of steps.</summary>
    internal bool IsTextInput => StepSize == 0;

    /// <summary>A copy, so that changes to the caller's object do not reach an estimator or a model.</summary>
    internal AttentionEncodeOptions Clone() => (AttentionEncodeOptions)MemberwiseClone();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range and what it must be.</summary>
    internal void Validate()
    {
        Check(!string.IsNullOrWhiteSpace(OutputColumnName), nameof(OutputColumnName), "must name a column.");
        Check(!string.IsNullOrWhiteSpace(InputColumnName), nameof(InputColumnName), "must name a column.");
        Check(!string.IsNullOrWhiteSpace(LabelColumnName), nameof(LabelColumnName), "must name a column.");
        Check(ModelDimension > 0 && Heads > 0 && ModelDimension % Heads == 0, nameof(Heads), $"Heads ({Heads}) must be positive and divide ModelDimension ({ModelDimension}).");
        Check(Layers > 0, nameof(Layers), $"Layers ({Layers}) must be positive.");
        Check(FeedForwardDimension > 0, nameof(FeedForwardDimension), $"FeedForwardDimension ({FeedForwardDimension}) must be positive.");
        Check(Dropout >= 0 && Dropout < 1, nameof(Dropout), $"Dropout ({Dropout}) must be in [0, 1).");
        Check(Epochs > 0, nameof(Epochs), $"Epochs ({Epochs}) must be positive.");
        Check(BatchSize > 0, nameof(BatchSize), $"BatchSize ({BatchSize}) must be positive.");
        Check(LearningRate > 0 && float.IsFinite(LearningRate), nameof(LearningRate), $"LearningRate ({LearningRate}) must be positive and finite.");
        Check(WeightDecay >= 0 && float.IsFinite(WeightDecay), nameof(WeightDecay), $"WeightDecay ({WeightDecay}) must be non-negative and finite.");
        Check(GradientClipNorm >= 0 && float.IsFinite(GradientClipNorm), nameof(GradientClipNorm), $"GradientClipNorm ({GradientClipNorm}) must be non-negative and finite (0 = no clipping).");
        Check(ValidationFraction >= 0 && ValidationFraction < 1, nameof(ValidationFraction), $"ValidationFraction ({ValidationFraction}) must be in [0, 1).");
        Check(EarlyStoppingPatience > 0, nameof(EarlyStoppingPatience), $"EarlyStoppingPatience ({EarlyStoppingPatience}) must be positive.");
        Check(MaximumLength > 0, nameof(MaximumLength), $"MaximumLength ({MaximumLength}) must be positive.");
        Check(ScoringBatchSize > 0, nameof(ScoringBatchSize), $"ScoringBatchSize ({ScoringBatchSize}) must be positive (1 = row by row).");
        Check(StepSize >= 0, nameof(StepSize), $"StepSize ({StepSize}) must be 0 (text) or positive (vector).");
        Check(StepSize > 0 || VocabularySize > 2, nameof(VocabularySize), $"VocabularySize ({VocabularySize}) must exceed 2 (padding and unknown markers).");
        Check(CheckpointDirectory is null || Directory.Exists(CheckpointDirectory), nameof(CheckpointDirectory), $"the folder '{CheckpointDirectory}' does not exist.");
        Check(!ResumeFromCheckpoint || CheckpointDirectory is not null, nameof(ResumeFromCheckpoint), "needs CheckpointDirectory, the folder to resume from.");
        Check(StepSize == 0 || TokensColumnName is null, nameof(TokensColumnName), "TokensColumnName applies to text input only.");
        var names = new[] { OutputColumnName, AttentionWeightsColumnName, TokensColumnName }.Where(n => n is not null).ToArray();
        Check(names.Distinct(StringComparer.Ordinal).Count() == names.Length, nameof(OutputColumnName),
            $"the output columns ({string.Join(", ", names.Select(n => $"'{n}'"))}) must have different names.");
    }

    private static void Check(bool ok, string name, string message)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(name, $"AttentionEncodeOptions.{name}: {message}");
        }
    }
}
