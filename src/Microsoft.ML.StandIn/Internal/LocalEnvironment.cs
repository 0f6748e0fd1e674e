using System.Globalization;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Data
{
    /// <summary>The environment behind an <see cref="MLContext"/>: seeded randomness, channels that forward to the context's log, progress.</summary>
    internal class LocalEnvironment : IHost
    {
        private readonly Action<string, ChannelMessageKind, string> _log;
        private readonly object _randLock = new();

        internal LocalEnvironment(int? seed, Action<string, ChannelMessageKind, string> log, ComponentCatalog catalog, string name = "MLContext")
        {
            Seed = seed;
            Rand = seed.HasValue ? new Random(seed.Value) : new Random();
            _log = log;
            ComponentCatalog = catalog;
            ContextDescription = name;
        }

        internal int? Seed { get; }
        public Random Rand { get; }
        public ComponentCatalog ComponentCatalog { get; }
        public string ContextDescription { get; }

        public TException Process<TException>(TException ex) where TException : Exception => ex;

        public IHost Register(string name, int? seed = null, bool? verbose = null)
        {
            int childSeed;
            lock (_randLock)
                childSeed = seed ?? Rand.Next();
            return new LocalEnvironment(childSeed, _log, ComponentCatalog, name);
        }

        public IChannel Start(string name) => new Channel(this, name);

        public IPipe<TMessage> StartPipe<TMessage>(string name) => new Pipe<TMessage>(name);

        public IProgressChannel StartProgressChannel(string name) => new ProgressChannel(this, name);

        internal void Write(string source, ChannelMessageKind kind, string message) => _log(source, kind, message);

        private sealed class Pipe<TMessage> : IPipe<TMessage>
        {
            public Pipe(string name) => ContextDescription = name;
            public string ContextDescription { get; }
            public TException Process<TException>(TException ex) where TException : Exception => ex;
            public void Send(TMessage msg)
            {
            }

            public void Dispose()
            {
            }
        }

        private sealed class Channel : IChannel
        {
            private readonly LocalEnvironment _owner;

            public Channel(LocalEnvironment owner, string name)
            {
                _owner = owner;
                ContextDescription = owner.ContextDescription + "; " + name;
            }

            public string ContextDescription { get; }
            public TException Process<TException>(TException ex) where TException : Exception => ex;
            public void Send(ChannelMessage msg) => _owner.Write(ContextDescription, msg.Kind, msg.Message);
            public void Trace(MessageSensitivity sensitivity, string fmt) => Write(ChannelMessageKind.Trace, fmt, null);
            public void Trace(MessageSensitivity sensitivity, string fmt, params object[] args) => Write(ChannelMessageKind.Trace, fmt, args);
            public void Error(MessageSensitivity sensitivity, string fmt) => Write(ChannelMessageKind.Error, fmt, null);
            public void Error(MessageSensitivity sensitivity, string fmt, params object[] args) => Write(ChannelMessageKind.Error, fmt, args);
            public void Warning(MessageSensitivity sensitivity, string fmt) => Write(ChannelMessageKind.Warning, fmt, null);
            public void Warning(MessageSensitivity sensitivity, string fmt, params object[] args) => Write(ChannelMessageKind.Warning, fmt, args);
            public void Info(MessageSensitivity sensitivity, string fmt) => Write(ChannelMessageKind.Info, fmt, null);
            public void Info(MessageSensitivity sensitivity, string fmt, params object[] args) => Write(ChannelMessageKind.Info, fmt, args);

            private void Write(ChannelMessageKind kind, string fmt, object[] args)
                => _owner.Write(ContextDescription, kind, args == null || args.Length == 0 ? fmt : string.Format(CultureInfo.InvariantCulture, fmt, args));

            public void Dispose()
            {
            }
        }

        /// <summary>Records the header and, at every checkpoint, writes the metric and progress values to the log as Info messages.</summary>
        private sealed class ProgressChannel : IProgressChannel
        {
            private readonly LocalEnvironment _owner;
            private readonly string _name;
            private ProgressHeader _header;
            private Action<IProgressEntry> _fill;

            public ProgressChannel(LocalEnvironment owner, string name)
            {
                _owner = owner;
                _name = name;
            }

            public void SetHeader(ProgressHeader header, Action<IProgressEntry> fillAction)
            {
                _header = header ?? throw new ArgumentNullException(nameof(header));
                _fill = fillAction;
            }

            public void Checkpoint(params double?[] values)
            {
                var entry = new Entry(_header);
                _fill?.Invoke(entry);
                var parts = new List<string>();
                var metricNames = _header?.MetricNames ?? Array.Empty<string>();
                for (int i = 0; i < metricNames.Count; i++)
                {
                    double? v = values != null && i < values.Length ? values[i] : entry.Metrics[i];
                    if (v.HasValue)
                        parts.Add(string.Create(CultureInfo.InvariantCulture, $"{metricNames[i]}={v.Value:G6}"));
                }
                var unitNames = _header?.UnitNames ?? Array.Empty<string>();
                for (int i = 0; i < unitNames.Count; i++)
                {
                    if (entry.Progress[i].HasValue)
                        parts.Add(string.Format(CultureInfo.InvariantCulture, "{0}={1:G6}{2}", unitNames[i], entry.Progress[i], entry.Limits[i].HasValue ? string.Format(CultureInfo.InvariantCulture, "/{0:G6}", entry.Limits[i]) : ""));
                }
                _owner.Write(_owner.ContextDescription + "; " + _name, ChannelMessageKind.Info, string.Join(", ", parts));
            }

            public IProgressChannel StartProgressChannel(string name) => new ProgressChannel(_owner, _name + "; " + name);

            public void Dispose()
            {
            }

            private sealed class Entry : IProgressEntry
            {
                public Entry(ProgressHeader header)
                {
                    Metrics = new double?[header?.MetricNames.Count ?? 0];
                    Progress = new double?[header?.UnitNames.Count ?? 0];
                    Limits = new double?[Progress.Length];
                }

                public double?[] Metrics { get; }
                public double?[] Progress { get; }
                public double?[] Limits { get; }

                public void SetMetric(int index, double value) => Metrics[index] = value;
                public void SetProgress(int index, double value) => Progress[index] = value;
                public void SetProgress(int index, double value, double lim)
                {
                    Progress[index] = value;
                    Limits[index] = lim;
                }
            }
        }
    }
}
