using System.Globalization;
using System.Text;

namespace Microsoft.ML.Attention.Models;

/// <summary>
/// Real text to sentences of words, for hierarchical models. Sentences end at '.', '!', '?', '…' and their
/// full-width forms when followed by white space or the end (closing quotes and brackets stay with the sentence), at
/// line breaks and at HTML line breaks such as IMDB's <c>&lt;br /&gt;</c>; a '.' does not end a sentence after a known
/// abbreviation ("Mr.", "e.g.", "etc."), after a single-letter initial ("J. R. R."), or before a lower-case word.
/// Words are runs of letters and digits (any script), with apostrophes inside a word ("don't") and points or commas
/// inside a number ("3.5") kept; other HTML tags
/// are dropped. Sentences without a word are skipped.
/// </summary>
public static class DocumentTokenizer
{
    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "vs", "etc", "e.g", "i.e", "eg", "ie", "cf", "al", "approx",
        "inc", "ltd", "co", "corp", "dept", "no", "vol", "fig", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
        "oct", "nov", "dec", "u.s", "u.k", "a.m", "p.m", "ph.d", "lt", "col", "gen", "sgt", "capt", "rev", "hon",
    };

    /// <summary>The sentences of <paramref name="text"/>, each a list of words; lower-cased when <paramref name="lowerCase"/>.</summary>
    public static List<string[]> Split(ReadOnlySpan<char> text, bool lowerCase = true)
    {
        var sentences = new List<string[]>();
        var words = new List<string>();
        var word = new StringBuilder();
        string? lastRawWord = null; // the last word as written, to judge a '.' after it

        void EndWord()
        {
            if (word.Length == 0)
            {
                return;
            }

            string raw = word.ToString().TrimEnd('\'');
            if (raw.Length > 0)
            {
                lastRawWord = raw;
                words.Add(lowerCase ? raw.ToLower(CultureInfo.InvariantCulture) : raw);
            }

            word.Clear();
        }

        void EndSentence()
        {
            EndWord();
            if (words.Count > 0)
            {
                sentences.Add([.. words]);
                words.Clear();
            }

            lastRawWord = null;
        }

        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '<' && TagLength(text[i..]) is int tag and > 0)
            {
                if (IsLineBreakTag(text.Slice(i, tag)))
                {
                    EndSentence();
                }
                else
                {
                    EndWord();
                }

                i += tag;
                continue;
            }

            if (char.IsLetterOrDigit(c) || (c is '\'' or '’' && word.Length > 0 && i + 1 < text.Length && char.IsLetter(text[i + 1])))
            {
                word.Append(c == '’' ? '\'' : c);
                i++;
                continue;
            }

            // "3.5" and "1,000": a point or comma between digits stays inside the number.
            if (c is '.' or ',' && word.Length > 0 && char.IsDigit(word[^1]) && i + 1 < text.Length && char.IsDigit(text[i + 1]))
            {
                word.Append(c);
                i++;
                continue;
            }

            // "e.g." and "U.S.": a dot between letters with no space joins them, so the abbreviation is one word.
            if (c == '.' && word.Length > 0 && i + 2 < text.Length && char.IsLetter(text[i + 1]) && text[i + 2] == '.' && word.Length <= 2)
            {
                word.Append('.');
                i++;
                continue;
            }

            EndWord();
            if (c is '\n' or '\r')
            {
                EndSentence();
                i++;
                continue;
            }

            if (IsTerminator(c))
            {
                int end = i;
                while (end < text.Length && IsTerminator(text[end]))
                {
                    end++;
                }

                while (end < text.Length && IsCloser(text[end]))
                {
                    end++;
                }

                bool atEnd = end >= text.Length;
                bool spaceAfter = !atEnd && char.IsWhiteSpace(text[end]);
                if (atEnd || spaceAfter && EndsSentence(text, i, end, lastRawWord))
                {
                    EndSentence();
                }

                i = end;
                continue;
            }

            i++;
        }

        EndSentence();
        return sentences;
    }

    private static bool IsTerminator(char c) => c is '.' or '!' or '?' or '…' or '。' or '！' or '？';

    private static bool IsCloser(char c) => c is '"' or '\'' or '”' or '’' or ')' or ']' or '»' or '」';

    /// <summary>Whether the terminators at [start, end) end a sentence, given the word before them and the text after.</summary>
    private static bool EndsSentence(ReadOnlySpan<char> text, int start, int end, string? before)
    {
        bool onlyDots = true;
        for (int k = start; k < end && IsTerminator(text[k]); k++)
        {
            onlyDots &= text[k] == '.';
        }

        if (!onlyDots)
        {
            return true; // '!', '?', '…' end a sentence
        }

        if (end - start == 1 && before is not null && (Abbreviations.Contains(before) || (before.Length == 1 && char.IsUpper(before[0]))))
        {
            return false;
        }

        // A lower-case word after the dot continues the sentence ("approx. five", "the U.S. army").
        int next = end;
        while (next < text.Length && char.IsWhiteSpace(text[next]))
        {
            next++;
        }

        return next >= text.Length || !char.IsLower(text[next]);
    }

    /// <summary>The length of an HTML-like tag at the start of <paramref name="s"/> ("&lt;br /&gt;", "&lt;i&gt;"), or 0.</summary>
    private static int TagLength(ReadOnlySpan<char> s)
    {
        if (s.Length < 3 || !(char.IsLetter(s[1]) || s[1] == '/'))
        {
            return 0;
        }

        int close = s[..Math.Min(s.Length, 64)].IndexOf('>');
        return close > 0 ? close + 1 : 0;
    }

    private static bool IsLineBreakTag(ReadOnlySpan<char> tag)
    {
        ReadOnlySpan<char> inner = tag[1..^1].Trim().TrimEnd('/').Trim();
        return inner.Equals("br", StringComparison.OrdinalIgnoreCase) || inner.Equals("p", StringComparison.OrdinalIgnoreCase)
            || inner.Equals("/p", StringComparison.OrdinalIgnoreCase);
    }
}
