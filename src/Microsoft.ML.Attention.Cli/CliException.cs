namespace Microsoft.ML.Attention.Cli;

/// <summary>A problem with the user's arguments or files: printed as one clear message, exit code 1, no stack trace.</summary>
internal sealed class CliException(string message, Exception? inner = null) : Exception(message, inner);
