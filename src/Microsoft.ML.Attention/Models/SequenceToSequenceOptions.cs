namespace Microsoft.ML.Attention.Models;

/// <summary>
/// An encoder–decoder with attention (Bahdanau et al. 2015; Luong et al. 2015): its columns, tokens, architecture,
/// training and decoding. Every default is a public constant of <see cref="Defaults"/>; <see cref="Validate"/> names
/// the first option out of range.
/// </summary>
public sealed class SequenceToSequenceOptions
{
    /// <summary>The defaults of <see cref="SequenceToSequenceOptions"/>.</summary>
    public static class Defaults
    {
        /// <summary>The source text column.</summary>
        public const string SourceColumnName = "Source";

        /// <summary>The target text column (read at <c>Fit</c> only).</summary>
        public const string TargetColumnName = "Target";

        /// <summary>The predicted text column.</summary>
        public const string OutputColumnName = "Prediction";

        /// <summary>What one token is.</summary>
        public const TextUnit Unit = TextUnit.Character;

        /// <summary>Token embedding width (source and target).</summary>
        public const int EmbeddingDimension = 64;

        /// <summary>State width of each direction of the encoder; the decoder's state is twice as wide.</summary>
        public const int HiddenSize = 128;

        /// <summary>Width of the additive and concat attention spaces.</summary>
        public const int AttentionDimension = 128;

        /// <summary>The decoder's attention.</summary>
        public const DecoderAttentionKind Attention = DecoderAttentionKind.Additive;

        /// <summary>Dropout on the embeddings and the attentional states in training.</summary>
        public const float Dropout = 0.1f;

        /// <summary>Most passes over the training data.</summary>
        public const int Epochs = 10;

        /// <summary>Pairs per training step.</summary>
        public const int BatchSize = 64;

        /// <summary>Peak AdamW learning rate.</summary>
        public const float LearningRate = 2e-3f;

        /// <summary>AdamW decoupled weight decay.</summary>
        public const float WeightDecay = 0f;

        /// <summary>Share of the training steps spent warming the learning rate up.</summary>
        public const float WarmupFraction = 0.05f;

        /// <summary>Largest global gradient norm before a step.</summary>
        public const float GradientClipNorm = 5f;

        /// <summary>Share of the pairs held out for early stopping.</summary>
        public const float ValidationFraction = 0.05f;

        /// <summary>Epochs without validation improvement before training stops.</summary>
        public const int EarlyStoppingPatience = 2;

        /// <summary>Longest source in tokens.</summary>
        public const int MaximumSourceLength = 100;

        /// <summary>Longest target in tokens (training), and the most tokens decoding writes.</summary>
        public const int MaximumTargetLength = 100;

        /// <summary>Hypotheses kept per source by beam search (1 = greedy).</summary>
        public const int BeamWidth = 1;

        /// <summary>Exponent α of the length normalisation of beam scores (log-probability / length^α).</summary>
        public const float LengthPenalty = 1f;

        /// <summary>Sources decoded together when scoring many rows.</summary>
        public const int DecodeBatchSize = 256;

        /// <summary>Times a token must occur in the training texts to enter a vocabulary.</summary>
        public const int MinimumTokenCount = 1;

        /// <summary>Most ids in each vocabulary, markers included.</summary>
        public const int MaximumVocabularySize = 50000;
    }

    /// <summary>The source text column (String). Default "Source".</summary>
    public string SourceColumnName { get; set; } = Defaults.SourceColumnName;

    /// <summary>The target text column (String), read at <c>Fit</c> only. Default "Target".</summary>
    public string TargetColumnName { get; set; } = Defaults.TargetColumnName;

    /// <summary>The predicted text column to create (String). Default "Prediction".</summary>
    public string OutputColumnName { get; set; } = Defaults.OutputColumnName;

    /// <summary>
    /// An extra output column with the alignment: the attention weight of every output token over every source token,
    /// row after row (a variable-size vector of output tokens × source tokens), or null. Default null.
    /// </summary>
    public string? AlignmentColumnName { get; set; }

    /// <summary>An extra output column with the source tokens the alignment's columns refer to, or null. Default null.</summary>
    public string? SourceTokensColumnName { get; set; }

    /// <summary>An extra output column with the output tokens the alignment's rows refer to, or null. Default null.</summary>
    public string? OutputTokensColumnName { get; set; }

    /// <summary>What one token is, on both sides. Default characters.</summary>
    public TextUnit Unit { get; set; } = Defaults.Unit;

    /// <summary>Texts are lower-cased before tokenizing. Default false.</summary>
    public bool LowerCase { get; set; }

    /// <summary>Token embedding width. Default 64.</summary>
    public int EmbeddingDimension { get; set; } = Defaults.EmbeddingDimension;

    /// <summary>State width of each direction of the bidirectional encoder; the decoder's state is 2 × this. Default 128.</summary>
    public int HiddenSize { get; set; } = Defaults.HiddenSize;

    /// <summary>Width of the additive and concat attention spaces. Default 128.</summary>
    public int AttentionDimension { get; set; } = Defaults.AttentionDimension;

    /// <summary>The encoder's and the decoder's recurrent cell. Default GRU.</summary>
    public RecurrentCell Cell { get; set; } = RecurrentCell.Gru;

    /// <summary>The decoder's attention. Default additive (Bahdanau), which learned copies and reversals exactly where the Luong scores left a few repeated letters wrong.</summary>
    public DecoderAttentionKind Attention { get; set; } = Defaults.Attention;

    /// <summary>
    /// Luong's input feeding: the previous step's attentional state goes into the decoder cell with the previous token,
    /// so that the decoder knows what it attended to. Additive attention always feeds its context. Without it (and with
    /// a Luong score) training runs the decoder over all steps at once, which is faster. Default false.
    /// </summary>
    public bool InputFeeding { get; set; }

    /// <summary>Dropout in training, in [0, 1). Default 0.1.</summary>
    public float Dropout { get; set; } = Defaults.Dropout;

    /// <summary>Most passes over the training data. Default 10.</summary>
    public int Epochs { get; set; } = Defaults.Epochs;

    /// <summary>Pairs per training step. Default 64.</summary>
    public int BatchSize { get; set; } = Defaults.BatchSize;

    /// <summary>Peak AdamW learning rate (after a linear warm-up, then a cosine decay). Default 2e-3.</summary>
    public float LearningRate { get; set; } = Defaults.LearningRate;

    /// <summary>AdamW decoupled weight decay. Default 0.</summary>
    public float WeightDecay { get; set; } = Defaults.WeightDecay;

    /// <summary>Share of the planned steps spent warming the learning rate up. Default 0.05.</summary>
    public float WarmupFraction { get; set; } = Defaults.WarmupFraction;

    /// <summary>Largest global gradient norm before a step (0 = no clipping). Default 5.</summary>
    public float GradientClipNorm { get; set; } = Defaults.GradientClipNorm;

    /// <summary>Share of the pairs held out for early stopping (0 = none). Default 0.05.</summary>
    public float ValidationFraction { get; set; } = Defaults.ValidationFraction;

    /// <summary>Epochs without validation improvement before training stops. Default 2.</summary>
    public int EarlyStoppingPatience { get; set; } = Defaults.EarlyStoppingPatience;

    /// <summary>Longest source in tokens; a longer one is refused (at <c>Fit</c> and in scoring) with its row. Default 100.</summary>
    public int MaximumSourceLength { get; set; } = Defaults.MaximumSourceLength;

    /// <summary>Longest training target in tokens (a longer one is refused with its row), and the most tokens decoding writes. Default 100.</summary>
    public int MaximumTargetLength { get; set; } = Defaults.MaximumTargetLength;

    /// <summary>Hypotheses kept per source by beam search; 1 decodes greedily. Default 1.</summary>
    public int BeamWidth { get; set; } = Defaults.BeamWidth;

    /// <summary>
    /// Exponent α of beam search's length normalisation: finished hypotheses are ranked by log-probability / length^α
    /// (0 = the raw sum, which favours short outputs). Default 1.
    /// </summary>
    public float LengthPenalty { get; set; } = Defaults.LengthPenalty;

    /// <summary>Sources decoded together when many rows are scored. Default 256.</summary>
    public int DecodeBatchSize { get; set; } = Defaults.DecodeBatchSize;

    /// <summary>Times a token must occur in the training texts to enter its vocabulary. Default 1.</summary>
    public int MinimumTokenCount { get; set; } = Defaults.MinimumTokenCount;

    /// <summary>Most ids in each vocabulary, markers included. Default 50000.</summary>
    public int MaximumVocabularySize { get; set; } = Defaults.MaximumVocabularySize;

    /// <summary>
    /// A folder where training writes a checkpoint at the end of every epoch (file <c>sequence-to-sequence.checkpoint</c>: weights,
    /// optimizer state, the best epoch's weights, the generator's state, the epoch; written atomically); null for none.
    /// The folder must exist. Default null.
    /// </summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>
    /// With <see cref="CheckpointDirectory"/>: continue from its checkpoint when there is one, ending exactly where an
    /// uninterrupted run with the same seed ends; without one, train from the start. A checkpoint of another run (other
    /// options — the epoch count included, as the learning-rate schedule spans it — or other pairs or vocabularies) is refused. Default false.
    /// </summary>
    public bool ResumeFromCheckpoint { get; set; }

    /// <summary>Training seed; null draws one from the context's generator. Default null.</summary>
    public int? Seed { get; set; }

    /// <summary>A copy, so that changes to the caller's object do not reach a trainer or a model.</summary>
    internal SequenceToSequenceOptions Clone() => (SequenceToSequenceOptions)MemberwiseClone();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range and what it must be.</summary>
    internal void Validate()
    {
        Check(!string.IsNullOrWhiteSpace(SourceColumnName), nameof(SourceColumnName), "must name a column.");
        Check(!string.IsNullOrWhiteSpace(TargetColumnName), nameof(TargetColumnName), "must name a column.");
        string[] outputs = [.. new[] { OutputColumnName, AlignmentColumnName, SourceTokensColumnName, OutputTokensColumnName }.OfType<string>()];
        Check(outputs.Distinct(StringComparer.Ordinal).Count() == outputs.Length && outputs.All(n => n.Trim().Length > 0), nameof(OutputColumnName),
            $"the output columns ({string.Join(", ", outputs.Select(n => $"'{n}'"))}) must have different, non-empty names.");
        Check(Enum.IsDefined(Unit), nameof(Unit), $"Unit ({Unit}) must be Character or Word.");
        Check(EmbeddingDimension > 0, nameof(EmbeddingDimension), $"EmbeddingDimension ({EmbeddingDimension}) must be positive.");
        Check(HiddenSize > 0, nameof(HiddenSize), $"HiddenSize ({HiddenSize}) must be positive.");
        Check(AttentionDimension > 0, nameof(AttentionDimension), $"AttentionDimension ({AttentionDimension}) must be positive.");
        Check(Enum.IsDefined(Cell), nameof(Cell), $"Cell ({Cell}) must be Gru or Lstm.");
        Check(Enum.IsDefined(Attention), nameof(Attention), $"Attention ({Attention}) must be Additive, Dot, General or Concat.");
        Check(Dropout >= 0 && Dropout < 1, nameof(Dropout), $"Dropout ({Dropout}) must be in [0, 1).");
        Check(Epochs > 0, nameof(Epochs), $"Epochs ({Epochs}) must be positive.");
        Check(BatchSize > 0, nameof(BatchSize), $"BatchSize ({BatchSize}) must be positive.");
        Check(LearningRate > 0 && float.IsFinite(LearningRate), nameof(LearningRate), $"LearningRate ({LearningRate}) must be positive and finite.");
        Check(WeightDecay >= 0 && float.IsFinite(WeightDecay), nameof(WeightDecay), $"WeightDecay ({WeightDecay}) must be non-negative and finite.");
        Check(WarmupFraction >= 0 && WarmupFraction < 1, nameof(WarmupFraction), $"WarmupFraction ({WarmupFraction}) must be in [0, 1).");
        Check(GradientClipNorm >= 0 && float.IsFinite(GradientClipNorm), nameof(GradientClipNorm), $"GradientClipNorm ({GradientClipNorm}) must be non-negative and finite (0 = no clipping).");
        Check(ValidationFraction >= 0 && ValidationFraction < 1, nameof(ValidationFraction), $"ValidationFraction ({ValidationFraction}) must be in [0, 1).");
        Check(EarlyStoppingPatience > 0, nameof(EarlyStoppingPatience), $"EarlyStoppingPatience ({EarlyStoppingPatience}) must be positive.");
        Check(CheckpointDirectory is null || Directory.Exists(CheckpointDirectory), nameof(CheckpointDirectory), $"the folder '{CheckpointDirectory}' does not exist.");
        Check(!ResumeFromCheckpoint || CheckpointDirectory is not null, nameof(ResumeFromCheckpoint), "needs CheckpointDirectory, the folder to resume from.");
        Check(MaximumSourceLength > 0, nameof(MaximumSourceLength), $"MaximumSourceLength ({MaximumSourceLength}) must be positive.");
        Check(MaximumTargetLength > 0, nameof(MaximumTargetLength), $"MaximumTargetLength ({MaximumTargetLength}) must be positive.");
        Check(BeamWidth > 0, nameof(BeamWidth), $"BeamWidth ({BeamWidth}) must be positive (1 = greedy).");
        Check(LengthPenalty >= 0 && float.IsFinite(LengthPenalty), nameof(LengthPenalty), $"LengthPenalty ({LengthPenalty}) must be non-negative and finite.");
        Check(DecodeBatchSize > 0, nameof(DecodeBatchSize), $"DecodeBatchSize ({DecodeBatchSize}) must be positive.");
        Check(MinimumTokenCount > 0, nameof(MinimumTokenCount), $"MinimumTokenCount ({MinimumTokenCount}) must be positive.");
        Check(MaximumVocabularySize > SequenceToSequenceModel.FirstToken, nameof(MaximumVocabularySize),
            $"MaximumVocabularySize ({MaximumVocabularySize}) must exceed {SequenceToSequenceModel.FirstToken} (padding, unknown, start and end markers).");
    }

    private static void Check(bool ok, string name, string message)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(name, $"SequenceToSequenceOptions.{name}: {message}");
        }
    }
}
