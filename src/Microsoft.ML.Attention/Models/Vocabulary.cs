using System.Globalization;
using System.Text;

namespace Microsoft.ML.Attention.Models;

/// <summary>
/// Words to token ids: 0 = padding, 1 = unknown, then the most frequent training words (ties in ordinal order).
/// Words are lower-cased runs of letters and digits.
/// </summary>
public sealed class Vocabulary
{
    /// <summary>The padding id.</summary>
    public const int Padding = 0;

    /// <summary>The id of words not in the vocabulary.</summary>
    public const int Unknown = 1;

    private readonly Dictionary<string, int> _ids;

    /// <summary>Creates a vocabulary from its words in id order (ids 0 and 1 are the padding and unknown markers).</summary>
    public Vocabulary(IReadOnlyList<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        if (words.Count < 2 || words[0] != "<pad>" || words[1] != "<unk>")
        {
            throw new ArgumentException("A vocabulary starts with \"<pad>\" and \"<unk>\".", nameof(words));
        }

        Words = [.. words];
        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < Words.Count; i++)
        {
            if (!_ids.TryAdd(Words[i], i))
            {
                throw new ArgumentException($"The vocabulary lists '{Words[i]}' twice.", nameof(words));
            }
        }
    }

    /// <summary>The words by id.</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>Number of ids, markers included.</summary>
    public int Count => Words.Count;

    /// <summary>
    /// The <paramref name="size"/> − 2 most frequent words of <paramref name="documents"/> seen at least
    /// <paramref name="minimumCount"/> times, after the two markers.
    /// </summary>
    /// <param name="documents">The training documents' words.</param>
    /// <param name="size">Most ids, markers included.</param>
    /// <param name="minimumCount">Times a word must occur to be kept.</param>
    /// <param name="markers">Further markers after padding and unknown (e.g. start and end of a sequence), or null.</param>
    public static Vocabulary Build(IEnumerable<IEnumerable<string>> documents, int size, int minimumCount = 1, IReadOnlyList<string>? markers = null)
    {
        markers ??= [];
        ArgumentNullException.ThrowIfNull(documents);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (IEnumerable<string> doc in documents)
        {
            foreach (string w in doc)
            {
                counts[w] = counts.GetValueOrDefault(w) + 1;
            }
        }

        string[] reserved = ["<pad>", "<unk>", .. markers];
        IEnumerable<string> top = counts.Where(kv => kv.Value >= minimumCount && !reserved.Contains(kv.Key, StringComparer.Ordinal))
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(Math.Max(0, size - reserved.Length)).Select(kv => kv.Key);
        return new Vocabulary([.. reserved, .. top]);
    }

    /// <summary>Lower-cased runs of letters and digits.</summary>
    public static string[] Tokenize(ReadOnlySpan<char> text)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        foreach (char c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                current.Append(char.ToLower(c, CultureInfo.InvariantCulture));
            }
            else if (current.Length > 0)
            {
                words.Add(current.ToString());
                current.Clear();
            }
        }

        if (current.Length > 0)
        {
            words.Add(current.ToString());
        }

        return [.. words];
    }

    /// <summary>Ids of <paramref name="words"/>, unknown ones as <see cref="Unknown"/>.</summary>
    public int[] Encode(IReadOnlyList<string> words) => [.. words.Select(w => _ids.GetValueOrDefault(w, Unknown))];
}
