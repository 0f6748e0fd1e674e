using System.Reflection;

namespace Microsoft.ML.Runtime
{
    public interface IExceptionContext
    {
        string ContextDescription { get; }
        TException Process<TException>(TException ex) where TException : Exception;
    }

    public interface IChannelProvider : IExceptionContext
    {
        IChannel Start(string name);
        IPipe<TMessage> StartPipe<TMessage>(string name);
    }

    public interface IProgressChannelProvider
    {
        IProgressChannel StartProgressChannel(string name);
    }

    /// <summary>The environment components run in: channels, progress, randomness.</summary>
    public interface IHostEnvironment : IChannelProvider, IProgressChannelProvider
    {
        ComponentCatalog ComponentCatalog { get; }
        IHost Register(string name, int? seed = null, bool? verbose = null);
    }

    public interface IHost : IHostEnvironment
    {
        Random Rand { get; }
    }

    public interface IPipe<TMessage> : IExceptionContext, IDisposable
    {
        void Send(TMessage msg);
    }

    public interface IChannel : IPipe<ChannelMessage>
    {
        void Trace(MessageSensitivity sensitivity, string fmt);
        void Trace(MessageSensitivity sensitivity, string fmt, params object[] args);
        void Error(MessageSensitivity sensitivity, string fmt);
        void Error(MessageSensitivity sensitivity, string fmt, params object[] args);
        void Warning(MessageSensitivity sensitivity, string fmt);
        void Warning(MessageSensitivity sensitivity, string fmt, params object[] args);
        void Info(MessageSensitivity sensitivity, string fmt);
        void Info(MessageSensitivity sensitivity, string fmt, params object[] args);
    }

    public interface IProgressChannel : IProgressChannelProvider, IDisposable
    {
        void SetHeader(ProgressHeader header, Action<IProgressEntry> fillAction);
        void Checkpoint(params double?[] values);
    }

    public interface IProgressEntry
    {
        void SetProgress(int index, double value);
        void SetProgress(int index, double value, double lim);
        void SetMetric(int index, double value);
    }

    public sealed class ProgressHeader
    {
        public readonly IReadOnlyList<string> UnitNames;
        public readonly IReadOnlyList<string> MetricNames;

        public ProgressHeader(string[] metricNames, string[] unitNames)
        {
            MetricNames = (metricNames ?? Array.Empty<string>()).ToArray();
            UnitNames = (unitNames ?? Array.Empty<string>()).ToArray();
        }

        public ProgressHeader(params string[] unitNames)
            : this(null, unitNames)
        {
        }
    }

    public readonly struct ChannelMessage
    {
        public readonly ChannelMessageKind Kind;
        public readonly MessageSensitivity Sensitivity;
        private readonly string _message;
        private readonly object[] _args;

        internal ChannelMessage(ChannelMessageKind kind, MessageSensitivity sensitivity, string message)
        {
            Kind = kind;
            Sensitivity = sensitivity;
            _message = message ?? throw new ArgumentNullException(nameof(message));
            _args = null;
        }

        internal ChannelMessage(ChannelMessageKind kind, MessageSensitivity sensitivity, string fmt, params object[] args)
        {
            Kind = kind;
            Sensitivity = sensitivity;
            _message = fmt ?? throw new ArgumentNullException(nameof(fmt));
            _args = args;
        }

        public string Message => _args == null || _args.Length == 0 ? _message : string.Format(System.Globalization.CultureInfo.InvariantCulture, _message, _args);
    }

    public enum ChannelMessageKind
    {
        Trace,
        Info,
        Warning,
        Error,
    }

    [Flags]
    public enum MessageSensitivity
    {
        None = 0,
        UserData = 0x1,
        Schema = 0x2,
        Unknown = ~None,
        All = ~None,
    }

    /// <summary>Registry of loadable components. The stand-in's model loader uses a closed registry, so this only records assemblies.</summary>
    public sealed class ComponentCatalog
    {
        private readonly List<Assembly> _assemblies = new();

        internal ComponentCatalog()
        {
        }

        public void RegisterAssembly(Assembly assembly, bool throwOnError = true)
        {
            if (assembly == null)
                throw new ArgumentNullException(nameof(assembly));
            lock (_assemblies)
            {
                if (!_assemblies.Contains(assembly))
                    _assemblies.Add(assembly);
            }
        }
    }
}
