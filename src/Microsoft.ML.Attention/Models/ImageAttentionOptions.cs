namespace Microsoft.ML.Attention.Models;

/// <summary>
/// Options of the image attention trainers (<c>ImageAttention</c> classifier and <c>ImageAttentionFeaturize</c>): the
/// columns, the backbone (stages of 3×3 convolution + batch normalization + ReLU, each followed by the chosen attention
/// block and 2×2 max pooling, optionally a spatial transformer in front), the head, and how it is trained (AdamW under a
/// warm-up + cosine schedule, random-crop and optional flip augmentation, early stopping on a held-out split). Every
/// default is a public constant of <see cref="Defaults"/>; validated once, by the estimator.
/// </summary>
public sealed class ImageAttentionOptions
{
    /// <summary>The defaults, as constants.</summary>
    public static class Defaults
    {
        /// <summary>Default pixel column: "Features" (what <c>ExtractPixels</c> is usually told to write).</summary>
        public const string FeatureColumnName = "Features";

        /// <summary>Default label column.</summary>
        public const string LabelColumnName = "Label";

        /// <summary>Default embedding column of the featurizer.</summary>
        public const string EmbeddingColumnName = "ImageEmbedding";

        /// <summary>Default attention block.</summary>
        public const ImageAttentionKind Attention = ImageAttentionKind.Cbam;

        /// <summary>Default convolutions per stage.</summary>
        public const int ConvolutionsPerStage = 2;

        /// <summary>Default embedding (hidden layer of the head) width.</summary>
        public const int EmbeddingDimension = 256;

        /// <summary>Default dropout before the two head layers.</summary>
        public const float Dropout = 0.3f;

        /// <summary>Default most epochs.</summary>
        public const int Epochs = 10;

        /// <summary>Images <c>Transform</c> scores in one forward pass.</summary>
        public const int ScoringBatchSize = 64;

        /// <summary>Default images per step.</summary>
        public const int BatchSize = 128;

        /// <summary>Default peak learning rate.</summary>
        public const float LearningRate = 2e-3f;

        /// <summary>Default decoupled weight decay.</summary>
        public const float WeightDecay = 1e-4f;

        /// <summary>Default share of the steps spent warming up.</summary>
        public const float WarmupFraction = 0.03f;

        /// <summary>Default pixels of random shift (zero-padded random crop) in training.</summary>
        public const int RandomShift = 2;

        /// <summary>Default share held out for early stopping.</summary>
        public const float ValidationFraction = 0.1f;

        /// <summary>Default epochs without improvement before stopping.</summary>
        public const int EarlyStoppingPatience = 3;

        /// <summary>Default global gradient-norm clip.</summary>
        public const float GradientClipNorm = 5f;

        /// <summary>The default stage widths (a new array on every read).</summary>
        public static int[] StageChannels => [32, 64];
    }

    /// <summary>The pixel column: a float vector in planar (channels, height, width) order, as <c>ExtractPixels</c> writes it. Default "Features".</summary>
    public string FeatureColumnName { get; set; } = Defaults.FeatureColumnName;

    /// <summary>The label column: a key (classes, e.g. from <c>MapValueToKey</c>). Default "Label".</summary>
    public string LabelColumnName { get; set; } = Defaults.LabelColumnName;

    /// <summary>
    /// The image layout when the pixel column's type carries no dimensions (a plain vector of C·H·W values), or null to
    /// read them from the column (<c>ExtractPixels</c> writes [C, H, W]). Default null.
    /// </summary>
    public ImageShape? Shape { get; set; }

    /// <summary>The featurizer's embedding column (ignored by the classifier). Default "ImageEmbedding".</summary>
    public string EmbeddingColumnName { get; set; } = Defaults.EmbeddingColumnName;

    /// <summary>
    /// An extra output column with the last stage's spatial map (H'·W' values, row-major; CBAM's spatial gate, otherwise
    /// the channel-mean activation scaled to [0, 1]), or null. Default null.
    /// </summary>
    public string? AttentionMapColumnName { get; set; }

    /// <summary>The attention block after each stage. Default CBAM.</summary>
    public ImageAttentionKind Attention { get; set; } = Defaults.Attention;

    /// <summary>A spatial transformer (affine, identity at start) in front of the backbone. Default false.</summary>
    public bool SpatialTransformer { get; set; }

    /// <summary>Output channels of each stage; each stage halves the resolution. Default [32, 64].</summary>
    public int[] StageChannels { get; set; } = Defaults.StageChannels;

    /// <summary>3×3 convolutions in each stage. Default 2.</summary>
    public int ConvolutionsPerStage { get; set; } = Defaults.ConvolutionsPerStage;

    /// <summary>How the last stage becomes a vector. Default GlobalAverage.</summary>
    public ImagePooling Pooling { get; set; } = ImagePooling.GlobalAverage;

    /// <summary>Width of the head's hidden layer, which is also the featurizer's embedding. Default 256.</summary>
    public int EmbeddingDimension { get; set; } = Defaults.EmbeddingDimension;

    /// <summary>Dropout before both head layers in training, in [0, 1). Default 0.3.</summary>
    public float Dropout { get; set; } = Defaults.Dropout;

    /// <summary>Most passes over the training images. Default 10.</summary>
    public int Epochs { get; set; } = Defaults.Epochs;

    /// <summary>Images per step. Default 128.</summary>
    public int BatchSize { get; set; } = Defaults.BatchSize;

    /// <summary>Peak AdamW learning rate. Default 2e-3.</summary>
    public float LearningRate { get; set; } = Defaults.LearningRate;

    /// <summary>AdamW decoupled weight decay. Default 1e-4.</summary>
    public float WeightDecay { get; set; } = Defaults.WeightDecay;

    /// <summary>Share of the planned steps spent warming the learning rate up, before a cosine decay to 0. Default 0.03.</summary>
    public float WarmupFraction { get; set; } = Defaults.WarmupFraction;

    /// <summary>Largest global gradient norm before a step (0 = no clipping). Default 5.</summary>
    public float GradientClipNorm { get; set; } = Defaults.GradientClipNorm;

    /// <summary>Augmentation: each training image is shifted by up to this many pixels each way (zeros fill in). Default 2.</summary>
    public int RandomShift { get; set; } = Defaults.RandomShift;

    /// <summary>Augmentation: half the training images are mirrored left to right (not for digits or text). Default false.</summary>
    public bool RandomHorizontalFlip { get; set; }

    /// <summary>Share of the images held out for early stopping (0 = none). Default 0.1.</summary>
    public float ValidationFraction { get; set; } = Defaults.ValidationFraction;

    /// <summary>Epochs without validation improvement before training stops. Default 3.</summary>
    public int EarlyStoppingPatience { get; set; } = Defaults.EarlyStoppingPatience;

    /// <summary>
    /// A training time budget, or null for none: after each epoch the trainer counts how many epochs of that pace fit in
    /// it, plans no more than those (the cosine decay is re-planned to end with the last of them) and keeps the best
    /// weights. The first epoch always runs whole. Default null.
    /// </summary>
    public TimeSpan? MaximumTrainingTime { get; set; }

    /// <summary>
    /// A folder where training writes a checkpoint at the end of every epoch (file <c>image-attention.checkpoint</c>:
    /// weights and batch-norm statistics, optimizer state, the best epoch's weights, the generator's state, the epoch;
    /// written atomically); null for none. The folder must exist. Default null.
    /// </summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>
    /// With <see cref="CheckpointDirectory"/>: continue from its checkpoint when there is one, ending exactly where an
    /// uninterrupted run with the same seed ends (without <see cref="MaximumTrainingTime"/>, whose budget counts from the
    /// resume); without one, train from the start. A checkpoint of another run (other options — the epoch count
    /// included, as the learning-rate schedule spans it — or other images) is refused. Default false.
    /// </summary>
    public bool ResumeFromCheckpoint { get; set; }

    /// <summary>Training seed; null draws one from the context's generator. Default null.</summary>
    public int? Seed { get; set; }

    /// <summary>
    /// Images <c>Transform</c> reads ahead and scores in one forward pass; 1 scores image by image. A scoring setting: it
    /// does not change what is learned, and the outputs differ from image-by-image scoring only by float rounding.
    /// Default 64.
    /// </summary>
    public int ScoringBatchSize { get; set; } = Defaults.ScoringBatchSize;

    /// <summary>A deep copy, so that changes to the caller's object do not reach a trainer or a model.</summary>
    internal ImageAttentionOptions Clone()
    {
        var copy = (ImageAttentionOptions)MemberwiseClone();
        copy.StageChannels = (int[])StageChannels.Clone();
        return copy;
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range and what it must be.</summary>
    internal void Validate()
    {
        Check(!string.IsNullOrWhiteSpace(FeatureColumnName), nameof(FeatureColumnName), "must name a column.");
        Check(!string.IsNullOrWhiteSpace(LabelColumnName), nameof(LabelColumnName), "must name a column.");
        Check(!string.IsNullOrWhiteSpace(EmbeddingColumnName), nameof(EmbeddingColumnName), "must name a column.");
        Check(AttentionMapColumnName is null || AttentionMapColumnName.Trim().Length > 0, nameof(AttentionMapColumnName), "must be null or name a column.");
        string[] outputs = [.. new[] { "Score", "PredictedLabel", EmbeddingColumnName, AttentionMapColumnName }.OfType<string>()];
        Check(outputs.Distinct(StringComparer.Ordinal).Count() == outputs.Length, nameof(AttentionMapColumnName),
            $"the output columns ({string.Join(", ", outputs.Select(n => $"'{n}'"))}) must have different names.");
        Check(Shape is null || (Shape.Value.Channels > 0 && Shape.Value.Height > 0 && Shape.Value.Width > 0), nameof(Shape), $"Shape ({Shape}) must have positive channels, height and width.");
        Check(Enum.IsDefined(Attention), nameof(Attention), $"Attention ({Attention}) is not a known kind.");
        Check(Enum.IsDefined(Pooling), nameof(Pooling), $"Pooling ({Pooling}) is not a known kind.");
        Check(StageChannels is { Length: > 0 and <= 8 } && StageChannels.All(c => c > 0 && c <= 4096), nameof(StageChannels),
            $"StageChannels ({(StageChannels is null ? "null" : string.Join(", ", StageChannels))}) must list 1 to 8 widths in 1…4096.");
        Check(ConvolutionsPerStage is > 0 and <= 8, nameof(ConvolutionsPerStage), $"ConvolutionsPerStage ({ConvolutionsPerStage}) must be in 1…8.");
        Check(EmbeddingDimension > 0, nameof(EmbeddingDimension), $"EmbeddingDimension ({EmbeddingDimension}) must be positive.");
        Check(Dropout >= 0 && Dropout < 1, nameof(Dropout), $"Dropout ({Dropout}) must be in [0, 1).");
        Check(Epochs > 0, nameof(Epochs), $"Epochs ({Epochs}) must be positive.");
        Check(BatchSize > 0, nameof(BatchSize), $"BatchSize ({BatchSize}) must be positive.");
        Check(LearningRate > 0 && float.IsFinite(LearningRate), nameof(LearningRate), $"LearningRate ({LearningRate}) must be positive and finite.");
        Check(WeightDecay >= 0 && float.IsFinite(WeightDecay), nameof(WeightDecay), $"WeightDecay ({WeightDecay}) must be non-negative and finite.");
        Check(WarmupFraction >= 0 && WarmupFraction < 1, nameof(WarmupFraction), $"WarmupFraction ({WarmupFraction}) must be in [0, 1).");
        Check(GradientClipNorm >= 0 && float.IsFinite(GradientClipNorm), nameof(GradientClipNorm), $"GradientClipNorm ({GradientClipNorm}) must be non-negative and finite (0 = no clipping).");
        Check(RandomShift >= 0, nameof(RandomShift), $"RandomShift ({RandomShift}) must be non-negative.");
        Check(ValidationFraction >= 0 && ValidationFraction < 1, nameof(ValidationFraction), $"ValidationFraction ({ValidationFraction}) must be in [0, 1).");
        Check(EarlyStoppingPatience > 0, nameof(EarlyStoppingPatience), $"EarlyStoppingPatience ({EarlyStoppingPatience}) must be positive.");
        Check(ScoringBatchSize > 0, nameof(ScoringBatchSize), $"ScoringBatchSize ({ScoringBatchSize}) must be positive (1 = image by image).");
        Check(MaximumTrainingTime is null || MaximumTrainingTime > TimeSpan.Zero, nameof(MaximumTrainingTime), $"MaximumTrainingTime ({MaximumTrainingTime}) must be positive or null.");
        Check(CheckpointDirectory is null || Directory.Exists(CheckpointDirectory), nameof(CheckpointDirectory), $"the folder '{CheckpointDirectory}' does not exist.");
        Check(!ResumeFromCheckpoint || CheckpointDirectory is not null, nameof(ResumeFromCheckpoint), "needs CheckpointDirectory, the folder to resume from.");
    }

    /// <summary>Throws unless <paramref name="shape"/> fits the backbone: each stage halves the image, which must stay at least 1×1.</summary>
    internal void CheckFits(ImageShape shape, string column)
    {
        int h = shape.Height >> StageChannels.Length, w = shape.Width >> StageChannels.Length;
        if (h < 1 || w < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(shape), $"ImageAttention: images of column '{column}' are {shape} (channels × height × width); {StageChannels.Length} stages halve them {StageChannels.Length} times, which needs at least {1 << StageChannels.Length} pixels each way.");
        }
    }

    private static void Check(bool ok, string name, string message)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(name, $"ImageAttentionOptions.{name}: {message}");
        }
    }
}
