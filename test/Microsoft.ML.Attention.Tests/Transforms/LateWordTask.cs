namespace Microsoft.ML.Attention.Tests.Transforms;

/// <summary>
/// A generated text task whose label is a colour word placed late in the sentence (position ≥ 10); another colour,
/// of a random class, appears early as a distractor, so a bag of words cannot tell which one counts. A quarter of
/// the rows have no late colour and the label "none": without that class the model could name one colour by
/// elimination (neither of the others seen late) without ever looking at it.
/// </summary>
public sealed class LateWordTask
{
    public static readonly string[] Colours = ["red", "green", "blue"];

    private static readonly string[] Filler =
    [
        "the", "a", "cat", "dog", "sat", "on", "mat", "under", "tree", "river", "walked", "quickly", "slowly", "house", "near",
        "big", "small", "old", "new", "table", "ran", "saw", "with", "and", "then", "later", "today", "bird", "sky", "road",
    ];

    public string Text { get; set; } = "";

    public string Label { get; set; } = "";

    /// <summary>Where the deciding colour is (word index), or −1 for "none".</summary>
    public int SignalPosition { get; set; }

    public static List<LateWordTask> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new List<LateWordTask>(count);
        for (int n = 0; n < count; n++)
        {
            int length = random.Next(14, 21);
            var words = new string[length];
            for (int i = 0; i < length; i++)
            {
                words[i] = Filler[random.Next(Filler.Length)];
            }

            int label = random.Next(4);
            int signal = label < 3 ? random.Next(10, length) : -1;
            if (signal >= 0)
            {
                words[signal] = Colours[label];
            }

            words[random.Next(0, 4)] = Colours[random.Next(3)];
            rows.Add(new LateWordTask { Text = string.Join(' ', words), Label = label < 3 ? Colours[label] : "none", SignalPosition = signal });
        }

        return rows;
    }
}
