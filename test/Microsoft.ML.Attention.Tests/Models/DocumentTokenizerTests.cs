using Microsoft.ML.Attention.Models;

namespace Microsoft.ML.Attention.Tests.Models;

/// <summary>Sentence splitting and word tokenization on the kinds of real text HAN reads.</summary>
[TestClass]
public sealed class DocumentTokenizerTests
{
    private static string[] Sentences(string text, bool lowerCase = true) =>
        [.. DocumentTokenizer.Split(text, lowerCase).Select(s => string.Join(' ', s))];

    [TestMethod]
    public void Terminators_QuotesAndImdbLineBreaks_EndSentences()
    {
        CollectionAssert.AreEqual(
            new[] { "i loved it", "did you", "wow she said", "the end" },
            Sentences("I loved it! Did you? \"Wow.\" she said.<br /><br />The end"));
        CollectionAssert.AreEqual(new[] { "first line", "second line" }, Sentences("First line<br/>second line"));
        CollectionAssert.AreEqual(new[] { "one", "two" }, Sentences("One\nTwo"));
        CollectionAssert.AreEqual(new[] { "he said go", "we went" }, Sentences("He said \"go.\" We went."));
    }

    [TestMethod]
    public void Abbreviations_Initials_DecimalsAndLowerCaseContinuations_DoNotSplit()
    {
        CollectionAssert.AreEqual(new[] { "mr smith met dr jones at 3.5 pm", "it rained" }, Sentences("Mr. Smith met Dr. Jones at 3.5 pm. It rained."));
        CollectionAssert.AreEqual(new[] { "it sold 1,000 copies" }, Sentences("It sold 1,000 copies."));
        CollectionAssert.AreEqual(new[] { "j r r tolkien wrote it", "yes" }, Sentences("J. R. R. Tolkien wrote it. Yes."));
        CollectionAssert.AreEqual(new[] { "films e.g the u.s cut are long", "ok" }, Sentences("Films, e.g. the U.S. cut, are long. Ok."));
        CollectionAssert.AreEqual(new[] { "it costs approx five dollars" }, Sentences("It costs approx. five dollars"));
        CollectionAssert.AreEqual(new[] { "wait", "what" }, Sentences("Wait... What?"));
    }

    [TestMethod]
    public void Words_KeepApostrophesAndAnyScript_DropTags_AndCaseIsAnOption()
    {
        CollectionAssert.AreEqual(new[] { "don't stop it's great" }, Sentences("Don't stop — it’s <i>great</i>"));
        CollectionAssert.AreEqual(new[] { "café naïve straße", "東京 は 大きい" }, Sentences("Café, naïve; straße! 東京 は 大きい。"));
        CollectionAssert.AreEqual(new[] { "Keep The Case" }, Sentences("Keep The Case", lowerCase: false));
        Assert.IsEmpty(DocumentTokenizer.Split(" ... <br /> !! "), "no words, no sentence");
    }
}
