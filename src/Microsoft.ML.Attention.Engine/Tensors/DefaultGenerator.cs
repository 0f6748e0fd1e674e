namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// The engine's one default source of randomness, in the manner of <c>torch.manual_seed</c>: a module or op given no
/// generator takes <see cref="Next"/>, a new <see cref="Random"/> seeded by the next draw of this process-wide,
/// seeded generator. So two modules built alike without a generator get different weights and different dropout
/// masks, and a program that calls <see cref="ManualSeed"/> and then builds the same modules in the same order gets
/// the same ones again. Code that must not depend on what else the process builds passes its own generator, as the
/// pack's estimators do (seeded from the <c>MLContext</c>).
/// </summary>
public static class DefaultGenerator
{
    /// <summary>The seed the default generator starts from before any <see cref="ManualSeed"/>.</summary>
    public const int InitialSeed = 20161;

    private static readonly object Gate = new();
    private static Random s_root = new(InitialSeed);

    /// <summary>Re-seeds the default generator (as <c>torch.manual_seed</c>).</summary>
    /// <param name="seed">The seed.</param>
    public static void ManualSeed(int seed)
    {
        lock (Gate)
        {
            s_root = new Random(seed);
        }
    }

    /// <summary>A new generator seeded by the default generator's next draw; thread-safe.</summary>
    public static Random Next()
    {
        lock (Gate)
        {
            return new Random(s_root.Next());
        }
    }
}
