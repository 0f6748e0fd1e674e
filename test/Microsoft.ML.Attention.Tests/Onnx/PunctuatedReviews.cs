namespace Microsoft.ML.Attention.Tests.Onnx;

/// <summary>
/// Generated reviews written the way people write: capitals, punctuation glued to words, apostrophes, dashes, digits,
/// accents, quotes, emoji and other symbols, so that a tokenizer that differs from the pack's on any of them shows.
/// The label is "pos" when a praise word occurs and "neg" otherwise.
/// </summary>
public sealed class PunctuatedReviews
{
    private static readonly string[] Filler =
    [
        "The", "movie", "film", "plot", "was", "IS", "really", "quite", "Acting", "scene", "ending", "we", "saw", "it", "don't",
        "it's", "well-made", "café", "naïve", "Zürich", "2nd", "10/10", "x2", "über", "story", "and", "but", "ÉLAN", "İstanbul",
        "straße", "日本", "😀", "—", "…", "(sort", "of)", "\"quoted\"", "e-mail", "C#", "£5", "½", "ǅemal", "ﬁne",
    ];

    private static readonly string[] Praise = ["excellent", "Wonderful", "GREAT", "loved"];

    private static readonly string[] Glue = [" ", " ", " ", ", ", ". ", "! ", "?", " - ", "\t", ";", "...", " \u00a0", "/", "\u2019"];

    public string Text { get; set; } = "";

    public string Label { get; set; } = "";

    public static List<PunctuatedReviews> Generate(int count, int seed, int minWords = 3, int maxWords = 20)
    {
        var random = new Random(seed);
        var rows = new List<PunctuatedReviews>(count);
        for (int n = 0; n < count; n++)
        {
            int length = random.Next(minWords, maxWords + 1);
            bool positive = random.Next(2) == 0;
            var text = new System.Text.StringBuilder();
            int praiseAt = random.Next(length);
            for (int i = 0; i < length; i++)
            {
                text.Append(positive && i == praiseAt ? Praise[random.Next(Praise.Length)] : Filler[random.Next(Filler.Length)]);
                text.Append(Glue[random.Next(Glue.Length)]);
            }

            rows.Add(new PunctuatedReviews { Text = "a " + text.ToString(), Label = positive ? "pos" : "neg" });
        }

        return rows;
    }
}
