namespace Microsoft.ML.Attention.Nn;

/// <summary>The channel rounding of timm's <c>make_divisible</c>, by which attention blocks size their reduced layers.</summary>
public static class ChannelRounding
{
    /// <summary>
    /// <paramref name="value"/> rounded to the nearest multiple of <paramref name="divisor"/>, at least
    /// <paramref name="divisor"/>, and raised by one divisor if that fell below <paramref name="roundLimit"/> × value.
    /// </summary>
    public static int MakeDivisible(float value, int divisor, float roundLimit = 0.9f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(divisor);
        int rounded = Math.Max(divisor, (int)(value + divisor / 2f) / divisor * divisor);
        return rounded < roundLimit * value ? rounded + divisor : rounded;
    }
}
