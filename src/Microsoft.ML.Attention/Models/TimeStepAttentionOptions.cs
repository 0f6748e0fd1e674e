namespace Microsoft.ML.Attention.Models;

/// <summary>
/// Attention over time steps: a float-vector column read as steps of <see cref="StepSize"/> values, a recurrent layer
/// over the steps, softmax attention pooling of its states with a learned context vector (and a learned score per step),
/// and a linear head (classes, or one value for regression). Every default is a public constant of
/// <see cref="Defaults"/>; <see cref="Validate"/> names the first option out of range.
/// </summary>
public sealed class TimeStepAttentionOptions
{
    /// <summary>The defaults of <see cref="TimeStepAttentionOptions"/>.</summary>
    public static class Defaults
    {
        /// <summary>The float-vector column of steps.</summary>
        public const string FeatureColumnName = "Features";

        /// <summary>The label column.</summary>
        public const string LabelColumnName = "Label";

        /// <summary>Values per step.</summary>
        public const int StepSize = 1;

        /// <summary>State width of the recurrent layer (per direction).</summary>
        public const int HiddenSize = 32;

        /// <summary>Width of the attention space.</summary>
        public const int AttentionDimension = 32;

        /// <summary>A learned attention score for every step position.</summary>
        public const bool StepBias = true;

        /// <summary>Dropout on the pooled vector in training.</summary>
        public const float Dropout = 0f;

        /// <summary>Most passes over the training data.</summary>
        public const int Epochs = 10;

        /// <summary>Rows <c>Transform</c> scores in one forward pass.</summary>
        public const int ScoringBatchSize = 64;

        /// <summary>Rows per training step.</summary>
        public const int BatchSize = 32;

        /// <summary>Peak AdamW learning rate.</summary>
        public const float LearningRate = 1e-2f;

        /// <summary>AdamW decoupled weight decay.</summary>
        public const float WeightDecay = 0f;

        /// <summary>Share of the training steps spent warming the learning rate up.</summary>
        public const float WarmupFraction = 0.05f;

        /// <summary>Largest global gradient norm before a step.</summary>
        public const float GradientClipNorm = 5f;

        /// <summary>Share of the rows held out for early stopping.</summary>
        public const float ValidationFraction = 0.1f;

        /// <summary>Epochs without validation improvement before training stops.</summary>
        public const int EarlyStoppingPatience = 3;
    }

    /// <summary>The float-vector column (fixed size, a whole number of steps). Default "Features".</summary>
    public string FeatureColumnName { get; set; } = Defaults.FeatureColumnName;

    /// <summary>The label: a key (classification, e.g. from <c>MapValueToKey</c>) or Single (regression). Default "Label".</summary>
    public string LabelColumnName { get; set; } = Defaults.LabelColumnName;

    /// <summary>An extra output column with the attention weight of every step, or null. Default null.</summary>
    public string? StepAttentionColumnName { get; set; }

    /// <summary>Values per step: the vector of N values is N / StepSize steps. Default 1.</summary>
    public int StepSize { get; set; } = Defaults.StepSize;

    /// <summary>The recurrent cell. Default LSTM.</summary>
    public RecurrentCell Cell { get; set; } = RecurrentCell.Lstm;

    /// <summary>A reverse direction too (the states are then twice as wide). Default false.</summary>
    public bool Bidirectional { get; set; }

    /// <summary>State width of the recurrent layer (per direction). Default 32.</summary>
    public int HiddenSize { get; set; } = Defaults.HiddenSize;

    /// <summary>Width of the attention space. Default 32.</summary>
    public int AttentionDimension { get; set; } = Defaults.AttentionDimension;

    /// <summary>
    /// A learned score p_t for every step added to the attention scores, score_t = uᵀ tanh(W h_t + b) + p_t (zero at the
    /// start): the attention can learn <i>where</i> in the series the informative steps are, as the dense layer over the
    /// time axis of Keras' time-step attention does, and not only <i>what</i> a state holds. Without it, a state after the
    /// informative step carries the same information and nothing makes the weights prefer the step itself. Default true.
    /// </summary>
    public bool StepBias { get; set; } = Defaults.StepBias;

    /// <summary>Dropout on the pooled vector in training, in [0, 1). Default 0.</summary>
    public float Dropout { get; set; } = Defaults.Dropout;

    /// <summary>Most passes over the training data. Default 10.</summary>
    public int Epochs { get; set; } = Defaults.Epochs;

    /// <summary>Rows per training step. Default 32.</summary>
    public int BatchSize { get; set; } = Defaults.BatchSize;

    /// <summary>Peak AdamW learning rate (after a linear warm-up, then a cosine decay). Default 1e-2.</summary>
    public float LearningRate { get; set; } = Defaults.LearningRate;

    /// <summary>AdamW decoupled weight decay. Default 0.</summary>
    public float WeightDecay { get; set; } = Defaults.WeightDecay;

    /// <summary>Share of the planned steps spent warming the learning rate up. Default 0.05.</summary>
    public float WarmupFraction { get; set; } = Defaults.WarmupFraction;

    /// <summary>Largest global gradient norm before a step (0 = no clipping). Default 5.</summary>
    public float GradientClipNorm { get; set; } = Defaults.GradientClipNorm;

    /// <summary>Share of the rows held out for early stopping (0 = none). Default 0.1.</summary>
    public float ValidationFraction { get; set; } = Defaults.ValidationFraction;

    /// <summary>Epochs without validation improvement before training stops. Default 3.</summary>
    public int EarlyStoppingPatience { get; set; } = Defaults.EarlyStoppingPatience;

    /// <summary>
    /// A folder where training writes a checkpoint at the end of every epoch (file <c>time-step-attention.checkpoint</c>: weights,
    /// optimizer state, the best epoch's weights, the generator's state, the epoch; written atomically); null for none.
    /// The folder must exist. Default null.
    /// </summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>
    /// With <see cref="CheckpointDirectory"/>: continue from its checkpoint when there is one, ending exactly where an
    /// uninterrupted run with the same seed ends; without one, train from the start. A checkpoint of another run (other
    /// options — the epoch count included, as the learning-rate schedule spans it — or other rows) is refused. Default false.
    /// </summary>
    public bool ResumeFromCheckpoint { get; set; }

    /// <summary>Training seed; null draws one from the context's generator. Default null.</summary>
    public int? Seed { get; set; }

    /// <summary>
    /// Rows <c>Transform</c> reads ahead and scores in one forward pass; 1 scores row by row. A scoring setting: it does
    /// not change what is learned, and the outputs differ from row-by-row scoring only by float rounding. Default 64.
    /// </summary>
    public int ScoringBatchSize { get; set; } = Defaults.ScoringBatchSize;

    /// <summary>A copy, so that changes to the caller's object do not reach a trainer or a model.</summary>
    internal TimeStepAttentionOptions Clone() => (TimeStepAttentionOptions)MemberwiseClone();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range and what it must be.</summary>
    internal void Validate()
    {
        Check(!string.IsNullOrWhiteSpace(FeatureColumnName), nameof(FeatureColumnName), "must name a column.");
        Check(!string.IsNullOrWhiteSpace(LabelColumnName), nameof(LabelColumnName), "must name a column.");
        Check(StepAttentionColumnName is null || (StepAttentionColumnName.Trim().Length > 0 && StepAttentionColumnName is not ("Score" or "PredictedLabel")), nameof(StepAttentionColumnName),
            $"'{StepAttentionColumnName}' must be non-empty and differ from Score and PredictedLabel.");
        Check(StepSize > 0, nameof(StepSize), $"StepSize ({StepSize}) must be positive.");
        Check(Enum.IsDefined(Cell), nameof(Cell), $"Cell ({Cell}) must be Gru or Lstm.");
        Check(HiddenSize > 0, nameof(HiddenSize), $"HiddenSize ({HiddenSize}) must be positive.");
        Check(AttentionDimension > 0, nameof(AttentionDimension), $"AttentionDimension ({AttentionDimension}) must be positive.");
        Check(Dropout >= 0 && Dropout < 1, nameof(Dropout), $"Dropout ({Dropout}) must be in [0, 1).");
        Check(Epochs > 0, nameof(Epochs), $"Epochs ({Epochs}) must be positive.");
        Check(ScoringBatchSize > 0, nameof(ScoringBatchSize), $"ScoringBatchSize ({ScoringBatchSize}) must be positive (1 = row by row).");
        Check(BatchSize > 0, nameof(BatchSize), $"BatchSize ({BatchSize}) must be positive.");
        Check(LearningRate > 0 && float.IsFinite(LearningRate), nameof(LearningRate), $"LearningRate ({LearningRate}) must be positive and finite.");
        Check(WeightDecay >= 0 && float.IsFinite(WeightDecay), nameof(WeightDecay), $"WeightDecay ({WeightDecay}) must be non-negative and finite.");
        Check(WarmupFraction >= 0 && WarmupFraction < 1, nameof(WarmupFraction), $"WarmupFraction ({WarmupFraction}) must be in [0, 1).");
        Check(GradientClipNorm >= 0 && float.IsFinite(GradientClipNorm), nameof(GradientClipNorm), $"GradientClipNorm ({GradientClipNorm}) must be non-negative and finite (0 = no clipping).");
        Check(ValidationFraction >= 0 && ValidationFraction < 1, nameof(ValidationFraction), $"ValidationFraction ({ValidationFraction}) must be in [0, 1).");
        Check(EarlyStoppingPatience > 0, nameof(EarlyStoppingPatience), $"EarlyStoppingPatience ({EarlyStoppingPatience}) must be positive.");
        Check(CheckpointDirectory is null || Directory.Exists(CheckpointDirectory), nameof(CheckpointDirectory), $"the folder '{CheckpointDirectory}' does not exist.");
        Check(!ResumeFromCheckpoint || CheckpointDirectory is not null, nameof(ResumeFromCheckpoint), "needs CheckpointDirectory, the folder to resume from.");
    }

    private static void Check(bool ok, string name, string message)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(name, $"TimeStepAttentionOptions.{name}: {message}");
        }
    }
}
