namespace Microsoft.ML.Runtime
{
    /// <summary>Convenience overloads used inside the stand-in (sensitivity defaults to Unknown).</summary>
    internal static class ChannelExtensions
    {
        public static void Trace(this IChannel ch, string fmt) => ch.Trace(MessageSensitivity.Unknown, fmt);
        public static void Trace(this IChannel ch, string fmt, params object[] args) => ch.Trace(MessageSensitivity.Unknown, fmt, args);
        public static void Error(this IChannel ch, string fmt) => ch.Error(MessageSensitivity.Unknown, fmt);
        public static void Error(this IChannel ch, string fmt, params object[] args) => ch.Error(MessageSensitivity.Unknown, fmt, args);
        public static void Warning(this IChannel ch, string fmt) => ch.Warning(MessageSensitivity.Unknown, fmt);
        public static void Warning(this IChannel ch, string fmt, params object[] args) => ch.Warning(MessageSensitivity.Unknown, fmt, args);
        public static void Info(this IChannel ch, string fmt) => ch.Info(MessageSensitivity.Unknown, fmt);
        public static void Info(this IChannel ch, string fmt, params object[] args) => ch.Info(MessageSensitivity.Unknown, fmt, args);
    }
}
