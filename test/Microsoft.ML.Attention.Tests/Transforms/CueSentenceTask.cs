namespace Microsoft.ML.Attention.Tests.Transforms;

/// <summary>
/// Generated reviews of 4–8 sentences with two verdict words in two different sentences: the label is the verdict of
/// the one sentence that opens with "Overall" (filler words between the cue and the verdict); the other verdict is
/// positive or negative at random, whatever the label, so that no other sentence tells the label (not even by being
/// its opposite). A bag of words (or of word pairs) is right only where both verdicts agree, about 3 times in 4; a
/// model must find the sentence.
/// </summary>
public sealed class CueSentenceTask
{
    private static readonly string[] Filler =
        ["the", "plot", "was", "and", "then", "our", "cast", "moved", "slowly", "scene", "camera", "music", "later", "city", "night", "rain", "it", "felt"];

    private static readonly string[] Good = ["excellent", "wonderful"], Bad = ["terrible", "awful"];

    public string Label { get; set; } = "";

    public string Text { get; set; } = "";

    /// <summary>Index of the deciding sentence.</summary>
    public int KeySentence { get; set; }

    public static List<CueSentenceTask> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new List<CueSentenceTask>(count);
        for (int n = 0; n < count; n++)
        {
            bool positive = random.Next(2) == 0;
            int sentences = random.Next(4, 9), key = random.Next(sentences), other = (key + 1 + random.Next(sentences - 1)) % sentences;
            var text = new List<string>();
            for (int s = 0; s < sentences; s++)
            {
                var words = Enumerable.Range(0, random.Next(5, 9)).Select(_ => Filler[random.Next(Filler.Length)]).ToList();
                if (s == key)
                {
                    words.Insert(random.Next(2, words.Count), (positive ? Good : Bad)[random.Next(2)]);
                    words.Insert(0, "overall");
                }
                else if (s == other)
                {
                    words.Insert(random.Next(words.Count), (random.Next(2) == 0 ? Bad : Good)[random.Next(2)]);
                }

                text.Add(char.ToUpperInvariant(words[0][0]) + string.Join(' ', words)[1..] + ".");
            }

            rows.Add(new CueSentenceTask { Label = positive ? "positive" : "negative", Text = string.Join(' ', text), KeySentence = key });
        }

        return rows;
    }
}
