namespace Microsoft.ML.Attention.Models;

/// <summary>What one token of a sequence-to-sequence text is.</summary>
public enum TextUnit
{
    /// <summary>Every character (a Unicode text element: a letter with its combining marks, an emoji, a space) is a token; the output is the tokens joined with nothing between.</summary>
    Character,

    /// <summary>Runs of letters, digits and marks are tokens and every other visible character is one; the output is the tokens joined by spaces.</summary>
    Word,
}
