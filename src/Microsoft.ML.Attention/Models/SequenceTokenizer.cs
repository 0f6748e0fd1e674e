using System.Globalization;
using System.Text;

namespace Microsoft.ML.Attention.Models;

/// <summary>Texts to the tokens of a sequence-to-sequence model, and tokens back to text.</summary>
public static class SequenceTokenizer
{
    /// <summary>
    /// The tokens of <paramref name="text"/>: its text elements, white space at either end left out
    /// (<see cref="TextUnit.Character"/>), or its runs of letters, digits and marks plus every other non-space character
    /// on its own (<see cref="TextUnit.Word"/>).
    /// </summary>
    public static string[] Split(ReadOnlySpan<char> text, TextUnit unit, bool lowerCase)
    {
        text = text.Trim();
        string s = lowerCase ? text.ToString().ToLowerInvariant() : text.ToString();
        var tokens = new List<string>();
        if (unit == TextUnit.Character)
        {
            TextElementEnumerator e = StringInfo.GetTextElementEnumerator(s);
            while (e.MoveNext())
            {
                tokens.Add(e.GetTextElement());
            }

            return [.. tokens];
        }

        var word = new StringBuilder();
        foreach (Rune r in s.EnumerateRunes())
        {
            if (Rune.IsLetterOrDigit(r) || Rune.GetUnicodeCategory(r) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark)
            {
                word.Append(r.ToString());
                continue;
            }

            Flush(word, tokens);
            if (!Rune.IsWhiteSpace(r) && !Rune.IsControl(r))
            {
                tokens.Add(r.ToString());
            }
        }

        Flush(word, tokens);
        return [.. tokens];
    }

    /// <summary>Tokens back to text: joined with nothing between (characters) or by single spaces (words).</summary>
    public static string Join(IEnumerable<string> tokens, TextUnit unit) => string.Join(unit == TextUnit.Character ? "" : " ", tokens);

    private static void Flush(StringBuilder word, List<string> tokens)
    {
        if (word.Length > 0)
        {
            tokens.Add(word.ToString());
            word.Clear();
        }
    }
}
