namespace Microsoft.ML.Attention.Tests.Models;

/// <summary>
/// Generated documents of 4–8 sentences of filler words where one sentence carries a verdict word ("excellent",
/// "wonderful" → class 1; "terrible", "awful" → class 0), or none does (class 2, "no verdict": without it a model
/// could name one verdict by the other's absence without ever looking at it); a quarter of the other sentences carry
/// a neutral distractor word. The label is decided by that one sentence.
/// </summary>
internal static class KeySentenceTask
{
    private static readonly string[] Filler =
        ["the", "plot", "was", "and", "then", "our", "cast", "moved", "slowly", "scene", "camera", "music", "later", "city", "night", "rain"];

    private static readonly string[] Good = ["excellent", "wonderful"], Bad = ["terrible", "awful"], Neutral = ["average", "ordinary"];

    /// <summary>Documents as text (sentences end with '.'), their labels and the index of the deciding sentence (−1 for class 2).</summary>
    public static List<(string Text, int Label, int KeySentence)> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new List<(string, int, int)>(count);
        for (int n = 0; n < count; n++)
        {
            int label = random.Next(3), sentences = random.Next(4, 9), key = label == 2 ? -1 : random.Next(sentences);
            var text = new List<string>();
            for (int s = 0; s < sentences; s++)
            {
                var words = Enumerable.Range(0, random.Next(5, 10)).Select(_ => Filler[random.Next(Filler.Length)]).ToList();
                if (s == key)
                {
                    words.Insert(random.Next(words.Count), (label == 1 ? Good : Bad)[random.Next(2)]);
                }
                else if (random.Next(4) == 0)
                {
                    words.Insert(random.Next(words.Count), Neutral[random.Next(2)]);
                }

                string sentence = string.Join(' ', words) + ".";
                text.Add(char.ToUpperInvariant(sentence[0]) + sentence[1..]); // as written: a capital after the full stop
            }

            rows.Add((string.Join(' ', text), label, key));
        }

        return rows;
    }
}
