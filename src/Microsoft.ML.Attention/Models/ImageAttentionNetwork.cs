using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Models;

/// <summary>
/// The image attention network: per-channel input standardization (buffers <c>input_mean</c>, <c>input_std</c>, set
/// from the training images), an optional spatial transformer (<c>stn</c>), the stages (<c>stages.0</c>, …; see
/// <see cref="ImageAttentionStage"/>), pooling, and a head of dropout, <c>embedding</c> (linear + ReLU), dropout and
/// <c>classifier</c> (linear).
/// </summary>
public sealed class ImageAttentionNetwork : Module
{
    private readonly ImageAttentionOptions _options;
    private readonly ModuleList _stages;

    /// <summary>Builds the network <paramref name="options"/> describe for images of <paramref name="shape"/>.</summary>
    /// <param name="options">The options, validated; the network keeps a copy.</param>
    /// <param name="shape">The planar image layout.</param>
    /// <param name="classes">Classes of the head (2 or more).</param>
    /// <param name="random">The generator of every initial weight and dropout mask.</param>
    public ImageAttentionNetwork(ImageAttentionOptions options, ImageShape shape, int classes, Random random)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        options.Validate();
        options.CheckFits(shape, options.FeatureColumnName);
        if (classes < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(classes), $"classes ({classes}) must be at least 2.");
        }

        _options = options.Clone();
        _options.CheckpointDirectory = null; // where one run was checkpointed is not part of the network
        _options.ResumeFromCheckpoint = false;
        Shape = shape;
        Classes = classes;
        InputMean = RegisterBuffer("input_mean", Tensor.Zeros(shape.Channels));
        InputStd = RegisterBuffer("input_std", Tensor.Ones(shape.Channels));
        if (options.SpatialTransformer)
        {
            var localization = new Sequential(
                new ConvBatchNorm(shape.Channels, 8, 3, random, activation: ActivationKind.Relu),
                new Pool2d(PoolKind.Max, 2),
                new ConvBatchNorm(8, 16, 3, random, activation: ActivationKind.Relu),
                new AdaptiveAvgPool2d(4, 4),
                new Flatten(),
                new Linear(16 * 16, 32, random: random),
                new Activation(ActivationKind.Relu));
            Transformer = RegisterModule("stn", new SpatialTransformer(localization, 32, shape.Height, shape.Width, random));
        }

        _stages = RegisterModule("stages", new ModuleList());
        int channels = shape.Channels, h = shape.Height, w = shape.Width;
        foreach (int width in options.StageChannels)
        {
            _stages.Add(new ImageAttentionStage(channels, width, options.ConvolutionsPerStage, options.Attention, random));
            channels = width;
            MapHeight = h;
            MapWidth = w;
            h /= 2;
            w /= 2;
        }

        int features = options.Pooling == ImagePooling.Flatten ? channels * h * w : channels;
        Dropout = RegisterModule("dropout", new Dropout(options.Dropout, random));
        Embedding = RegisterModule("embedding", new Linear(features, options.EmbeddingDimension, random: random));
        Classifier = RegisterModule("classifier", new Linear(options.EmbeddingDimension, classes, random: random));
    }

    /// <summary>The options the network was built from (a fresh copy on every read).</summary>
    public ImageAttentionOptions Options => _options.Clone();

    /// <summary>The image layout.</summary>
    public ImageShape Shape { get; }

    /// <summary>Classes of the head.</summary>
    public int Classes { get; }

    /// <summary>Rows of the last stage's map (before its pooling).</summary>
    public int MapHeight { get; }

    /// <summary>Columns of the last stage's map.</summary>
    public int MapWidth { get; }

    /// <summary>Per-channel mean subtracted from the pixels.</summary>
    public Tensor InputMean { get; }

    /// <summary>Per-channel standard deviation the pixels are divided by.</summary>
    public Tensor InputStd { get; }

    /// <summary>The spatial transformer in front, or null.</summary>
    public SpatialTransformer? Transformer { get; }

    /// <summary>The stages.</summary>
    public IEnumerable<ImageAttentionStage> Stages => _stages.Items.Cast<ImageAttentionStage>();

    /// <summary>The head's dropout.</summary>
    public Dropout Dropout { get; }

    /// <summary>The head's hidden layer.</summary>
    public Linear Embedding { get; }

    /// <summary>The head's output layer.</summary>
    public Linear Classifier { get; }

    /// <summary>Runs images [N, C, H, W] (raw pixels, standardized here) through the network.</summary>
    public ImageAttentionResult Forward(Tensor pixels, bool wantMap = false)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Rank != 4 || pixels.Size(1) != Shape.Channels || pixels.Size(2) != Shape.Height || pixels.Size(3) != Shape.Width)
        {
            throw new ArgumentException($"The network takes images [N, {Shape.Channels}, {Shape.Height}, {Shape.Width}]; got [{string.Join(", ", pixels.Shape)}].", nameof(pixels));
        }

        int c = Shape.Channels;
        Tensor x = pixels.Sub(InputMean.Reshape(1, c, 1, 1)).Div(InputStd.Reshape(1, c, 1, 1));
        if (Transformer is not null)
        {
            x = Transformer.Forward(x);
        }

        Tensor? map = null;
        int last = _stages.Items.Count - 1, index = 0;
        foreach (ImageAttentionStage stage in Stages)
        {
            (x, Tensor? stageMap) = stage.Forward(x, wantMap && index++ == last);
            map = stageMap ?? map;
        }

        int n = x.Size(0);
        Tensor pooled = _options.Pooling == ImagePooling.Flatten
            ? x.Reshape(n, x.Length / n)
            : GlobalPooling.SpatialMean(x).Reshape(n, x.Size(1));
        Tensor embedding = Embedding.Forward(Dropout.Forward(pooled)).Relu();
        Tensor logits = Classifier.Forward(Dropout.Forward(embedding));
        return new ImageAttentionResult(logits, embedding, wantMap && map is not null ? map.Detach().Reshape(n, MapHeight * MapWidth) : null, MapHeight, MapWidth);
    }
}
