namespace Microsoft.ML.Attention.PerformanceTests.Evals;

/// <summary>Corpus BLEU-4 (Papineni et al. 2002): clipped n-gram precisions 1–4, geometric mean, brevity penalty; one reference per sentence.</summary>
internal static class Bleu
{
    internal static double Corpus(IReadOnlyList<string[]> hypotheses, IReadOnlyList<string[]> references)
    {
        var matches = new long[4];
        var totals = new long[4];
        long hypothesisLength = 0, referenceLength = 0;
        for (int s = 0; s < hypotheses.Count; s++)
        {
            string[] h = hypotheses[s], r = references[s];
            hypothesisLength += h.Length;
            referenceLength += r.Length;
            for (int n = 1; n <= 4; n++)
            {
                Dictionary<string, int> reference = Grams(r, n);
                foreach ((string gram, int count) in Grams(h, n))
                {
                    matches[n - 1] += Math.Min(count, reference.GetValueOrDefault(gram));
                }

                totals[n - 1] += Math.Max(0, h.Length - n + 1);
            }
        }

        if (matches.Any(m => m == 0))
        {
            return 0;
        }

        double logPrecision = Enumerable.Range(0, 4).Average(n => Math.Log((double)matches[n] / totals[n]));
        double brevity = hypothesisLength >= referenceLength ? 1 : Math.Exp(1 - (double)referenceLength / hypothesisLength);
        return brevity * Math.Exp(logPrecision);
    }

    private static Dictionary<string, int> Grams(string[] tokens, int n)
    {
        var grams = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i + n <= tokens.Length; i++)
        {
            string gram = string.Join('\u0001', tokens, i, n);
            grams[gram] = grams.GetValueOrDefault(gram) + 1;
        }

        return grams;
    }
}
