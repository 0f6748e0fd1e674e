using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;

namespace Microsoft.ML.Attention.Models;

/// <summary>
/// The recurrent attention model (Mnih et al. 2014). At each step the glimpse sensor reads patches around the current
/// location; the glimpse network combines "what" (<c>glimpse_what</c>: patch → ReLU) and "where" (<c>glimpse_where</c>:
/// location → ReLU) into a feature (<c>glimpse_what_out</c> + <c>glimpse_where_out</c>, ReLU); the core updates its
/// state h ← ReLU(<c>core_input</c>(g) + <c>core_hidden</c>(h)); the location head proposes the next location
/// μ = tanh(<c>location</c>(h)) — sampled from N(μ, σ²) in training, μ itself at scoring — and the baseline
/// (<c>baseline</c>) estimates the reward. After the last glimpse <c>classifier</c> names the class. The first glimpse is
/// at the image centre (in training with <see cref="RecurrentAttentionOptions.RandomStartLocation"/>, anywhere in the
/// image, drawn uniformly). The location head and the baseline read a detached state: they learn from REINFORCE and
/// from the reward, not from the classification loss.
/// </summary>
public sealed class RecurrentAttentionNetwork : Module
{
    private readonly RecurrentAttentionOptions _options;
    private readonly Random _random;

    /// <summary>Builds the network for images of <paramref name="shape"/>, initialized from <paramref name="random"/> (also the policy's sampler).</summary>
    public RecurrentAttentionNetwork(RecurrentAttentionOptions options, ImageShape shape, int classes, Random random)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        options.Validate();
        if (classes < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(classes), $"classes ({classes}) must be at least 2.");
        }

        _options = options.Clone();
        _options.CheckpointDirectory = null; // where one run was checkpointed is not part of the network
        _options.ResumeFromCheckpoint = false;
        _random = random;
        Shape = shape;
        Classes = classes;
        Sensor = new GlimpseSensor(options.PatchSize, options.Scales, options.ScaleFactor);
        int glimpse = Sensor.GlimpseSize(shape.Channels), hg = options.GlimpseHidden, h = options.HiddenSize;
        GlimpseWhat = RegisterModule("glimpse_what", new Linear(glimpse, hg, random: random));
        GlimpseWhere = RegisterModule("glimpse_where", new Linear(2, hg, random: random));
        GlimpseWhatOut = RegisterModule("glimpse_what_out", new Linear(hg, h, random: random));
        GlimpseWhereOut = RegisterModule("glimpse_where_out", new Linear(hg, h, random: random));
        CoreInput = RegisterModule("core_input", new Linear(h, h, random: random));
        CoreHidden = RegisterModule("core_hidden", new Linear(h, h, random: random));
        Location = RegisterModule("location", new Linear(h, 2, random: random));

        // A location head that starts small, so that tanh starts unsaturated and the first policy explores around the
        // centre rather than pinning every glimpse to a border (where its gradient vanishes).
        System.Numerics.Tensors.TensorPrimitives.Multiply(Location.Weight.AsSpan(), 0.1f, Location.Weight.AsSpan());
        Baseline = RegisterModule("baseline", new Linear(h, 1, random: random));
        Classifier = RegisterModule("classifier", new Linear(h, classes, random: random));
        InputMean = RegisterBuffer("input_mean", Tensor.Zeros(shape.Channels));
        InputStd = RegisterBuffer("input_std", Tensor.Ones(shape.Channels));
    }

    /// <summary>The options the network was built from (a fresh copy on every read).</summary>
    public RecurrentAttentionOptions Options => _options.Clone();

    /// <summary>The image layout.</summary>
    public ImageShape Shape { get; }

    /// <summary>Classes of the head.</summary>
    public int Classes { get; }

    /// <summary>The glimpse sensor.</summary>
    public GlimpseSensor Sensor { get; }

    /// <summary>Per-channel mean subtracted from the pixels.</summary>
    public Tensor InputMean { get; }

    /// <summary>Per-channel standard deviation the pixels are divided by.</summary>
    public Tensor InputStd { get; }

    /// <summary>Patch → "what" features.</summary>
    public Linear GlimpseWhat { get; }

    /// <summary>Location → "where" features.</summary>
    public Linear GlimpseWhere { get; }

    /// <summary>"What" features → glimpse feature.</summary>
    public Linear GlimpseWhatOut { get; }

    /// <summary>"Where" features → glimpse feature.</summary>
    public Linear GlimpseWhereOut { get; }

    /// <summary>Glimpse feature → core.</summary>
    public Linear CoreInput { get; }

    /// <summary>Previous state → core.</summary>
    public Linear CoreHidden { get; }

    /// <summary>State → mean of the next location (before tanh).</summary>
    public Linear Location { get; }

    /// <summary>State → expected reward.</summary>
    public Linear Baseline { get; }

    /// <summary>Last state → class scores.</summary>
    public Linear Classifier { get; }

    /// <summary>
    /// Runs images [N, C, H, W] (raw pixels) through all glimpses. With <paramref name="sample"/> the locations are
    /// drawn from the policy and their log-densities returned; otherwise each location is the policy's mean.
    /// </summary>
    public RecurrentAttentionResult Forward(Tensor pixels, bool sample)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Rank != 4 || pixels.Size(1) != Shape.Channels || pixels.Size(2) != Shape.Height || pixels.Size(3) != Shape.Width)
        {
            throw new ArgumentException($"The network takes images [N, {Shape.Channels}, {Shape.Height}, {Shape.Width}]; got [{string.Join(", ", pixels.Shape)}].", nameof(pixels));
        }

        int n = pixels.Size(0), steps = _options.Glimpses, c = Shape.Channels;
        Tensor images;
        using (GradMode.NoGrad())
        {
            images = pixels.Sub(InputMean.Reshape(1, c, 1, 1)).Div(InputStd.Reshape(1, c, 1, 1));
        }

        float sigma = _options.LocationStd;
        float[] locations = new float[n * steps * 2];
        Tensor location = Tensor.Zeros(n, 2);
        if (sample && _options.RandomStartLocation)
        {
            Span<float> start = location.AsSpan();
            for (int i = 0; i < start.Length; i++)
            {
                start[i] = (float)(_random.NextDouble() * 2 - 1);
            }
        }

        Tensor state = Tensor.Zeros(n, _options.HiddenSize);
        var logPolicy = new List<Tensor>();
        var baselines = new List<Tensor>();
        for (int t = 0; t < steps; t++)
        {
            for (int i = 0; i < n; i++)
            {
                locations[(i * steps + t) * 2] = location.AsSpan()[i * 2];
                locations[(i * steps + t) * 2 + 1] = location.AsSpan()[i * 2 + 1];
            }

            Tensor glimpse = Sensor.Extract(images, location).Reshape(n, Sensor.GlimpseSize(c));
            Tensor what = GlimpseWhatOut.Forward(GlimpseWhat.Forward(glimpse).Relu());
            Tensor where = GlimpseWhereOut.Forward(GlimpseWhere.Forward(location).Relu());
            Tensor g = what.Add(where).Relu();
            state = CoreInput.Forward(g).Add(CoreHidden.Forward(state)).Relu();
            Tensor detached = state.Detach();
            baselines.Add(Baseline.Forward(detached));
            if (t == steps - 1)
            {
                break;
            }

            Tensor mean = Location.Forward(detached).Tanh();
            Tensor next = Tensor.Empty(n, 2);
            ReadOnlySpan<float> mu = mean.AsSpan();
            Span<float> chosen = next.AsSpan();
            for (int i = 0; i < chosen.Length; i++)
            {
                chosen[i] = sample ? Math.Clamp(mu[i] + sigma * Gaussian(), -1f, 1f) : mu[i];
            }

            if (sample)
            {
                // log N(l; μ, σ²) summed over x and y; the constant terms carry no gradient and are left out.
                logPolicy.Add(mean.Sub(next).Pow(2f).Sum(1, keepDim: true).Mul(-0.5f / (sigma * sigma)));
            }

            location = next;
        }

        return new RecurrentAttentionResult(
            Classifier.Forward(state),
            sample && logPolicy.Count > 0 ? Ops.Concat(logPolicy, 1) : null,
            Ops.Concat(baselines, 1),
            locations);
    }

    private float Gaussian()
    {
        // Box–Muller from the network's own generator.
        double u1 = 1.0 - _random.NextDouble(), u2 = _random.NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }
}
