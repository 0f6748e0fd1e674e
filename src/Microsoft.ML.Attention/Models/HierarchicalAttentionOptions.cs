namespace Microsoft.ML.Attention.Models;

/// <summary>
/// A hierarchical attention network (Yang et al., 2016): its architecture, how documents become sentences of words,
/// and how it is trained. Every default is a public constant of <see cref="Defaults"/>; <see cref="Validate"/> names the
/// first option out of range.
/// </summary>
public sealed class HierarchicalAttentionOptions
{
    /// <summary>The defaults of <see cref="HierarchicalAttentionOptions"/>.</summary>
    public static class Defaults
    {
        /// <summary>The document text column.</summary>
        public const string TextColumnName = "Text";

        /// <summary>The label column.</summary>
        public const string LabelColumnName = "Label";

        /// <summary>Word embedding width.</summary>
        public const int EmbeddingDimension = 100;

        /// <summary>State width of each direction of the word and sentence encoders.</summary>
        public const int HiddenSize = 50;

        /// <summary>Width of the attention spaces (word and sentence).</summary>
        public const int AttentionDimension = 100;

        /// <summary>Dropout on the embeddings, the sentence vectors and the document vector in training.</summary>
        public const float Dropout = 0.3f;

        /// <summary>Share of the words replaced by the unknown marker in training.</summary>
        public const float WordDropout = 0f;

        /// <summary>Most passes over the training data.</summary>
        public const int Epochs = 10;

        /// <summary>Documents per training step.</summary>
        public const int BatchSize = 64;

        /// <summary>Peak AdamW learning rate (reached after the warm-up, then a cosine decay).</summary>
        public const float LearningRate = 2e-3f;

        /// <summary>AdamW decoupled weight decay.</summary>
        public const float WeightDecay = 1e-4f;

        /// <summary>Share of the training steps spent warming the learning rate up.</summary>
        public const float WarmupFraction = 0.05f;

        /// <summary>Largest global gradient norm before a step.</summary>
        public const float GradientClipNorm = 5f;

        /// <summary>Share of the documents held out for early stopping.</summary>
        public const float ValidationFraction = 0.1f;

        /// <summary>Epochs without validation improvement before training stops.</summary>
        public const int EarlyStoppingPatience = 2;

        /// <summary>Default decay of the weights' moving average (0: none).</summary>
        public const float WeightAverageDecay = 0f;

        /// <summary>Sentences kept per document (the rest is cut).</summary>
        public const int MaximumSentences = 30;

        /// <summary>Words kept per sentence (the rest is cut).</summary>
        public const int MaximumWords = 40;

        /// <summary>Times a word must occur in the training documents to enter the vocabulary.</summary>
        public const int MinimumWordCount = 3;

        /// <summary>Most ids in the vocabulary, padding and unknown markers included.</summary>
        public const int MaximumVocabularySize = 50000;

        /// <summary>Documents <c>Transform</c> scores in one block.</summary>
        public const int ScoringBatchSize = 64;
    }

    /// <summary>The document text column (String): sentences and words are found by <see cref="DocumentTokenizer"/>. Default "Text".</summary>
    public string TextColumnName { get; set; } = Defaults.TextColumnName;

    /// <summary>The label column: a key (classes, e.g. from <c>MapValueToKey</c>). Default "Label".</summary>
    public string LabelColumnName { get; set; } = Defaults.LabelColumnName;

    /// <summary>An extra output column with the attention weight of every sentence (variable-size vector), or null. Default null.</summary>
    public string? SentenceAttentionColumnName { get; set; }

    /// <summary>An extra output column with the sentences the sentence weights refer to (their words joined by spaces), or null. Default null.</summary>
    public string? SentencesColumnName { get; set; }

    /// <summary>
    /// An extra output column with the attention weight of every word within its sentence, sentence after sentence (a
    /// variable-size vector; each sentence's weights sum to 1), or null. Default null.
    /// </summary>
    public string? WordAttentionColumnName { get; set; }

    /// <summary>An extra output column with the words the word weights refer to, in the same order, or null. Default null.</summary>
    public string? WordsColumnName { get; set; }

    /// <summary>
    /// A file of pretrained word vectors in GloVe's text format whose width is <see cref="EmbeddingDimension"/>: the
    /// vocabulary's words found there start from their vectors (the others from random ones), and are trained further.
    /// Null for none. Default null.
    /// </summary>
    public string? PretrainedEmbeddingsPath { get; set; }

    /// <summary>Word embedding width. Default 100.</summary>
    public int EmbeddingDimension { get; set; } = Defaults.EmbeddingDimension;

    /// <summary>State width of each direction of both encoders (their outputs are twice as wide). Default 50.</summary>
    public int HiddenSize { get; set; } = Defaults.HiddenSize;

    /// <summary>Width of the word and sentence attention spaces. Default 100.</summary>
    public int AttentionDimension { get; set; } = Defaults.AttentionDimension;

    /// <summary>The encoders' recurrent cell. Default GRU.</summary>
    public RecurrentCell Cell { get; set; } = RecurrentCell.Gru;

    /// <summary>Dropout in training, in [0, 1). Default 0.3.</summary>
    public float Dropout { get; set; } = Defaults.Dropout;

    /// <summary>
    /// Word dropout: the probability, in [0, 1), that a word of a training document is replaced by the unknown marker
    /// in a step (a fresh draw every step; scoring never drops), so the classifier cannot lean on a few words. Default 0.
    /// </summary>
    public float WordDropout { get; set; } = Defaults.WordDropout;

    /// <summary>Most passes over the training data. Default 10.</summary>
    public int Epochs { get; set; } = Defaults.Epochs;

    /// <summary>Documents per training step. Default 64.</summary>
    public int BatchSize { get; set; } = Defaults.BatchSize;

    /// <summary>Peak AdamW learning rate. Default 2e-3.</summary>
    public float LearningRate { get; set; } = Defaults.LearningRate;

    /// <summary>AdamW decoupled weight decay. Default 1e-4.</summary>
    public float WeightDecay { get; set; } = Defaults.WeightDecay;

    /// <summary>Share of the planned steps spent warming the learning rate up linearly, before a cosine decay to 0. Default 0.05.</summary>
    public float WarmupFraction { get; set; } = Defaults.WarmupFraction;

    /// <summary>Largest global gradient norm before a step (0 = no clipping). Default 5.</summary>
    public float GradientClipNorm { get; set; } = Defaults.GradientClipNorm;

    /// <summary>Share of the documents held out for early stopping (0 = none). Default 0.1.</summary>
    public float ValidationFraction { get; set; } = Defaults.ValidationFraction;

    /// <summary>Epochs without validation improvement before training stops. Default 2.</summary>
    public int EarlyStoppingPatience { get; set; } = Defaults.EarlyStoppingPatience;

    /// <summary>
    /// Decay of an exponential moving average of the weights (Polyak averaging), in [0, 1): validation and the final
    /// model use the averaged weights. 0 turns it off. Default 0.
    /// </summary>
    public float WeightAverageDecay { get; set; } = Defaults.WeightAverageDecay;

    /// <summary>Sentences kept per document; later ones are cut. Default 30.</summary>
    public int MaximumSentences { get; set; } = Defaults.MaximumSentences;

    /// <summary>Words kept per sentence; later ones are cut. Default 40.</summary>
    public int MaximumWords { get; set; } = Defaults.MaximumWords;

    /// <summary>Words are lower-cased before lookup. Default true.</summary>
    public bool LowerCase { get; set; } = true;

    /// <summary>Times a word must occur in the training documents to enter the vocabulary. Default 3.</summary>
    public int MinimumWordCount { get; set; } = Defaults.MinimumWordCount;

    /// <summary>Most ids in the vocabulary, padding and unknown markers included. Default 50000.</summary>
    public int MaximumVocabularySize { get; set; } = Defaults.MaximumVocabularySize;

    /// <summary>
    /// A folder where training writes a checkpoint at the end of every epoch (file
    /// <c>hierarchical-attention.checkpoint</c>: weights, optimizer state, the weight average, the generator's state, the
    /// epoch; written atomically); null for none. The folder must exist. Default null.
    /// </summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>
    /// With <see cref="CheckpointDirectory"/>: continue from its checkpoint when there is one, ending exactly where an
    /// uninterrupted run with the same seed ends; without one, train from the start. A checkpoint of another run (other
    /// options — the epoch count included, as the learning-rate schedule spans it — data or vocabulary) is refused. Default false.
    /// </summary>
    public bool ResumeFromCheckpoint { get; set; }

    /// <summary>Training seed; null draws one from the caller's generator. Default null.</summary>
    public int? Seed { get; set; }

    /// <summary>
    /// Documents <c>Transform</c> reads ahead and scores together (in groups of similar shape, so padding stays small);
    /// 1 scores document by document. A scoring setting: it does not change what is learned, and the outputs differ
    /// from document-by-document scoring only by float rounding. Default 64.
    /// </summary>
    public int ScoringBatchSize { get; set; } = Defaults.ScoringBatchSize;

    /// <summary>A copy, so that changes to the caller's object do not reach a trainer or a model.</summary>
    internal HierarchicalAttentionOptions Clone() => (HierarchicalAttentionOptions)MemberwiseClone();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range and what it must be.</summary>
    internal void Validate()
    {
        Check(!string.IsNullOrWhiteSpace(TextColumnName), nameof(TextColumnName), "must name a column.");
        Check(!string.IsNullOrWhiteSpace(LabelColumnName), nameof(LabelColumnName), "must name a column.");
        string[] outputs = [.. new[] { "Score", "Probability", "PredictedLabel", SentenceAttentionColumnName, SentencesColumnName, WordAttentionColumnName, WordsColumnName }.OfType<string>()];
        Check(outputs.Distinct(StringComparer.Ordinal).Count() == outputs.Length && outputs.All(n => n.Trim().Length > 0), nameof(SentenceAttentionColumnName),
            $"the output columns ({string.Join(", ", outputs.Select(n => $"'{n}'"))}) must have different, non-empty names.");
        Check(EmbeddingDimension > 0, nameof(EmbeddingDimension), $"EmbeddingDimension ({EmbeddingDimension}) must be positive.");
        Check(HiddenSize > 0, nameof(HiddenSize), $"HiddenSize ({HiddenSize}) must be positive.");
        Check(AttentionDimension > 0, nameof(AttentionDimension), $"AttentionDimension ({AttentionDimension}) must be positive.");
        Check(Enum.IsDefined(Cell), nameof(Cell), $"Cell ({Cell}) must be Gru or Lstm.");
        Check(Dropout >= 0 && Dropout < 1, nameof(Dropout), $"Dropout ({Dropout}) must be in [0, 1).");
        Check(WordDropout >= 0 && WordDropout < 1, nameof(WordDropout), $"WordDropout ({WordDropout}) must be in [0, 1).");
        Check(Epochs > 0, nameof(Epochs), $"Epochs ({Epochs}) must be positive.");
        Check(BatchSize > 0, nameof(BatchSize), $"BatchSize ({BatchSize}) must be positive.");
        Check(LearningRate > 0 && float.IsFinite(LearningRate), nameof(LearningRate), $"LearningRate ({LearningRate}) must be positive and finite.");
        Check(WeightDecay >= 0 && float.IsFinite(WeightDecay), nameof(WeightDecay), $"WeightDecay ({WeightDecay}) must be non-negative and finite.");
        Check(WarmupFraction >= 0 && WarmupFraction < 1, nameof(WarmupFraction), $"WarmupFraction ({WarmupFraction}) must be in [0, 1).");
        Check(GradientClipNorm >= 0 && float.IsFinite(GradientClipNorm), nameof(GradientClipNorm), $"GradientClipNorm ({GradientClipNorm}) must be non-negative and finite (0 = no clipping).");
        Check(ValidationFraction >= 0 && ValidationFraction < 1, nameof(ValidationFraction), $"ValidationFraction ({ValidationFraction}) must be in [0, 1).");
        Check(EarlyStoppingPatience > 0, nameof(EarlyStoppingPatience), $"EarlyStoppingPatience ({EarlyStoppingPatience}) must be positive.");
        Check(WeightAverageDecay >= 0 && WeightAverageDecay < 1, nameof(WeightAverageDecay), $"WeightAverageDecay ({WeightAverageDecay}) must be in [0, 1) (0 = no averaging).");
        Check(MaximumSentences > 0, nameof(MaximumSentences), $"MaximumSentences ({MaximumSentences}) must be positive.");
        Check(MaximumWords > 0, nameof(MaximumWords), $"MaximumWords ({MaximumWords}) must be positive.");
        Check(ScoringBatchSize > 0, nameof(ScoringBatchSize), $"ScoringBatchSize ({ScoringBatchSize}) must be positive (1 = document by document).");
        Check(MinimumWordCount > 0, nameof(MinimumWordCount), $"MinimumWordCount ({MinimumWordCount}) must be positive.");
        Check(MaximumVocabularySize > 2, nameof(MaximumVocabularySize), $"MaximumVocabularySize ({MaximumVocabularySize}) must exceed 2 (padding and unknown markers).");
        Check(CheckpointDirectory is null || Directory.Exists(CheckpointDirectory), nameof(CheckpointDirectory), $"the folder '{CheckpointDirectory}' does not exist.");
        Check(!ResumeFromCheckpoint || CheckpointDirectory is not null, nameof(ResumeFromCheckpoint), "needs CheckpointDirectory, the folder to resume from.");
    }

    private static void Check(bool ok, string name, string message)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(name, $"HierarchicalAttentionOptions.{name}: {message}");
        }
    }
}
