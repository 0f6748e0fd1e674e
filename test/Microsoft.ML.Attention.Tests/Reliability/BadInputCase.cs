namespace Microsoft.ML.Attention.Tests.Reliability;

/// <summary>
/// One bad input of the catalogue: what is done through the public API, the exception type it must raise (or a
/// subclass), and the words its message must hold, so that the user is told what is wrong and where.
/// </summary>
public sealed record BadInputCase(string Area, string Name, Action Act, Type Expected, params string[] MessageHolds)
{
    public override string ToString() => $"{Area}: {Name}";
}
