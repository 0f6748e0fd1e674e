namespace Microsoft.ML.Attention.Models;

/// <summary>
/// Options of the recurrent attention model (Mnih et al. 2014, "Recurrent Models of Visual Attention"): how many
/// glimpses, the glimpse sensor (patch size, scales, scale factor), the widths of the glimpse network and of the
/// recurrent core, the location policy's standard deviation, and how it is trained. Every default is a public constant
/// of <see cref="Defaults"/> (the paper's MNIST settings where it gives them).
/// </summary>
public sealed class RecurrentAttentionOptions
{
    /// <summary>The defaults, as constants.</summary>
    public static class Defaults
    {
        /// <summary>Default pixel column.</summary>
        public const string FeatureColumnName = "Features";

        /// <summary>Default label column.</summary>
        public const string LabelColumnName = "Label";

        /// <summary>Default glimpses per image.</summary>
        public const int Glimpses = 6;

        /// <summary>Default side of the finest patch.</summary>
        public const int PatchSize = 8;

        /// <summary>Default patches per glimpse.</summary>
        public const int Scales = 1;

        /// <summary>Default ratio of one patch's side to the previous one's.</summary>
        public const int ScaleFactor = 2;

        /// <summary>Default width of the glimpse network's "what" and "where" layers.</summary>
        public const int GlimpseHidden = 128;

        /// <summary>Default width of the glimpse feature and of the recurrent state.</summary>
        public const int HiddenSize = 256;

        /// <summary>Default standard deviation of the Gaussian location policy, in [−1, 1] units.</summary>
        public const float LocationStd = 0.1f;

        /// <summary>Default most epochs.</summary>
        public const int Epochs = 20;

        /// <summary>Images <c>Transform</c> scores in one forward pass.</summary>
        public const int ScoringBatchSize = 64;

        /// <summary>Default images per step.</summary>
        public const int BatchSize = 128;

        /// <summary>Default peak learning rate (Adam).</summary>
        public const float LearningRate = 1e-3f;

        /// <summary>Default augmentation shift, in pixels each way (0 = none).</summary>
        public const int RandomShift = 0;

        /// <summary>Default first glimpse in training: at the image centre, as at scoring.</summary>
        public const bool RandomStartLocation = false;
    }

    /// <summary>The pixel column: a float vector in planar (channels, height, width) order, as <c>ExtractPixels</c> writes it. Default "Features".</summary>
    public string FeatureColumnName { get; set; } = Defaults.FeatureColumnName;

    /// <summary>The label column: a key (classes, e.g. from <c>MapValueToKey</c>). Default "Label".</summary>
    public string LabelColumnName { get; set; } = Defaults.LabelColumnName;

    /// <summary>The image layout when the pixel column's type carries no dimensions, or null to read them from the column. Default null.</summary>
    public ImageShape? Shape { get; set; }

    /// <summary>An extra output column with every glimpse's location ([Glimpses, 2]: x, y in [−1, 1]), or null. Default null.</summary>
    public string? LocationsColumnName { get; set; }

    /// <summary>Training seed; null draws one from the context's generator. Default null.</summary>
    public int? Seed { get; set; }

    /// <summary>
    /// Images <c>Transform</c> reads ahead and scores in one forward pass (glimpses at the policy's mean, as always at
    /// scoring); 1 scores image by image. Outputs differ from image-by-image scoring only by float rounding. Default 64.
    /// </summary>
    public int ScoringBatchSize { get; set; } = Defaults.ScoringBatchSize;

    /// <summary>Glimpses per image (the last state is classified). Default 6.</summary>
    public int Glimpses { get; set; } = Defaults.Glimpses;

    /// <summary>Side of the finest patch, in pixels. Default 8.</summary>
    public int PatchSize { get; set; } = Defaults.PatchSize;

    /// <summary>Patches per glimpse, each <see cref="ScaleFactor"/> times wider than the last and averaged down to <see cref="PatchSize"/>². Default 1.</summary>
    public int Scales { get; set; } = Defaults.Scales;

    /// <summary>Ratio of one patch's side to the previous one's. Default 2.</summary>
    public int ScaleFactor { get; set; } = Defaults.ScaleFactor;

    /// <summary>Width of the glimpse network's "what" (patch) and "where" (location) layers. Default 128.</summary>
    public int GlimpseHidden { get; set; } = Defaults.GlimpseHidden;

    /// <summary>Width of the glimpse feature and of the recurrent core's state. Default 256.</summary>
    public int HiddenSize { get; set; } = Defaults.HiddenSize;

    /// <summary>Standard deviation of the location policy in training (at scoring the mean is taken). Default 0.1.</summary>
    public float LocationStd { get; set; } = Defaults.LocationStd;

    /// <summary>Most passes over the training images. Default 20.</summary>
    public int Epochs { get; set; } = Defaults.Epochs;

    /// <summary>Images per step. Default 128.</summary>
    public int BatchSize { get; set; } = Defaults.BatchSize;

    /// <summary>Peak learning rate of Adam, under a cosine decay. Default 1e-3.</summary>
    public float LearningRate { get; set; } = Defaults.LearningRate;

    /// <summary>Largest global gradient norm before a step (0 = no clipping). Default 5.</summary>
    public float GradientClipNorm { get; set; } = 5f;

    /// <summary>Augmentation: each training image is shifted by up to this many pixels each way, zeros filling in (0 = none). Default 0.</summary>
    public int RandomShift { get; set; } = Defaults.RandomShift;

    /// <summary>
    /// Training only: the first glimpse of each training image at a location drawn uniformly from [−1, 1]² instead of
    /// the image centre, so that the network learns from more varied glimpse paths (a regulariser for long runs; in
    /// short ones it slows learning). Scoring always starts at the centre, so predictions stay deterministic. Default false.
    /// </summary>
    public bool RandomStartLocation { get; set; } = Defaults.RandomStartLocation;

    /// <summary>
    /// A folder where training writes a checkpoint at the end of every epoch (file <c>recurrent-attention.checkpoint</c>:
    /// weights, Adam's state, the generator's state, the epoch; written atomically); null for none. The folder must
    /// exist. Default null.
    /// </summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>
    /// With <see cref="CheckpointDirectory"/>: continue from its checkpoint when there is one, ending exactly where an
    /// uninterrupted run with the same seed ends; without one, train from the start. A checkpoint of another run (other
    /// options — the epoch count included, as the learning-rate schedule spans it — or other images) is refused. Default false.
    /// </summary>
    public bool ResumeFromCheckpoint { get; set; }

    /// <summary>A deep copy.</summary>
    internal RecurrentAttentionOptions Clone() => (RecurrentAttentionOptions)MemberwiseClone();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range and what it must be.</summary>
    internal void Validate()
    {
        Check(!string.IsNullOrWhiteSpace(FeatureColumnName), nameof(FeatureColumnName), "must name a column.");
        Check(!string.IsNullOrWhiteSpace(LabelColumnName), nameof(LabelColumnName), "must name a column.");
        Check(LocationsColumnName is null || (LocationsColumnName.Trim().Length > 0 && LocationsColumnName is not ("Score" or "PredictedLabel")), nameof(LocationsColumnName),
            $"LocationsColumnName ('{LocationsColumnName}') must be null or name a column other than Score and PredictedLabel.");
        Check(Shape is null || (Shape.Value.Channels > 0 && Shape.Value.Height > 0 && Shape.Value.Width > 0), nameof(Shape), $"Shape ({Shape}) must have positive channels, height and width.");
        Check(Glimpses is > 0 and <= 64, nameof(Glimpses), $"Glimpses ({Glimpses}) must be in 1…64.");
        Check(PatchSize is > 0 and <= 256, nameof(PatchSize), $"PatchSize ({PatchSize}) must be in 1…256.");
        Check(Scales is > 0 and <= 8, nameof(Scales), $"Scales ({Scales}) must be in 1…8.");
        Check(ScaleFactor is > 0 and <= 8, nameof(ScaleFactor), $"ScaleFactor ({ScaleFactor}) must be in 1…8.");
        Check(GlimpseHidden > 0, nameof(GlimpseHidden), $"GlimpseHidden ({GlimpseHidden}) must be positive.");
        Check(HiddenSize > 0, nameof(HiddenSize), $"HiddenSize ({HiddenSize}) must be positive.");
        Check(LocationStd > 0 && LocationStd < 2, nameof(LocationStd), $"LocationStd ({LocationStd}) must be in (0, 2).");
        Check(Epochs > 0, nameof(Epochs), $"Epochs ({Epochs}) must be positive.");
        Check(ScoringBatchSize > 0, nameof(ScoringBatchSize), $"ScoringBatchSize ({ScoringBatchSize}) must be positive (1 = image by image).");
        Check(BatchSize > 0, nameof(BatchSize), $"BatchSize ({BatchSize}) must be positive.");
        Check(LearningRate > 0 && float.IsFinite(LearningRate), nameof(LearningRate), $"LearningRate ({LearningRate}) must be positive and finite.");
        Check(GradientClipNorm >= 0 && float.IsFinite(GradientClipNorm), nameof(GradientClipNorm), $"GradientClipNorm ({GradientClipNorm}) must be non-negative and finite.");
        Check(RandomShift >= 0, nameof(RandomShift), $"RandomShift ({RandomShift}) must be non-negative.");
        Check(CheckpointDirectory is null || Directory.Exists(CheckpointDirectory), nameof(CheckpointDirectory), $"the folder '{CheckpointDirectory}' does not exist.");
        Check(!ResumeFromCheckpoint || CheckpointDirectory is not null, nameof(ResumeFromCheckpoint), "needs CheckpointDirectory, the folder to resume from.");
    }

    private static void Check(bool ok, string name, string message)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(name, $"RecurrentAttentionOptions.{name}: {message}");
        }
    }
}
