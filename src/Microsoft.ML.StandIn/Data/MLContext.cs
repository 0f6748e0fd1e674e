using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML
{
    /// <summary>The entry point of ML.NET: catalogs of data operations, transforms, trainers, evaluation and models.</summary>
    public sealed class MLContext : IHostEnvironment
    {
        private readonly LocalEnvironment _env;
        private readonly Dictionary<string, object> _options = new(StringComparer.Ordinal);

        public MLContext(int? seed = null)
        {
            ComponentCatalog = new ComponentCatalog();
            _env = new LocalEnvironment(seed, OnLog, ComponentCatalog);
            BinaryClassification = new BinaryClassificationCatalog(_env);
            MulticlassClassification = new MulticlassClassificationCatalog(_env);
            Regression = new RegressionCatalog(_env);
            Transforms = new TransformsCatalog(_env);
            Model = new ModelOperationsCatalog(_env);
            Data = new DataOperationsCatalog(_env);
        }

        public BinaryClassificationCatalog BinaryClassification { get; }
        public MulticlassClassificationCatalog MulticlassClassification { get; }
        public RegressionCatalog Regression { get; }
        public TransformsCatalog Transforms { get; }
        public ModelOperationsCatalog Model { get; }
        public DataOperationsCatalog Data { get; }
        public ComponentCatalog ComponentCatalog { get; }

        public string TempFilePath { get; set; } = Path.GetTempPath();
        public bool FallbackToCpu { get; set; }
        public int? GpuDeviceId { get; set; }

        public event EventHandler<LoggingEventArgs> Log;

        private void OnLog(string source, ChannelMessageKind kind, string message)
        {
            var handler = Log;
            if (handler == null)
                return;
            string text = $"[Source={source}, Kind={kind}] {message}";
            handler(this, new LoggingEventArgs(text, kind, source) { RawMessageValue = message });
        }

        public void SetOption<T>(string name, T value)
        {
            lock (_options)
                _options[name] = value;
        }

        public bool TryAddOption<T>(string name, T value)
        {
            lock (_options)
                return _options.TryAdd(name, value);
        }

        public bool TryGetOption<T>(string name, out T value)
        {
            lock (_options)
            {
                if (_options.TryGetValue(name, out var v) && v is T t)
                {
                    value = t;
                    return true;
                }
            }
            value = default;
            return false;
        }

        public T GetOptionOrDefault<T>(string name) => TryGetOption(name, out T value) ? value : default;

        public bool RemoveOption(string name)
        {
            lock (_options)
                return _options.Remove(name);
        }

        string IExceptionContext.ContextDescription => _env.ContextDescription;
        TException IExceptionContext.Process<TException>(TException ex) => _env.Process(ex);
        IHost IHostEnvironment.Register(string name, int? seed, bool? verbose) => _env.Register(name, seed, verbose);
        IChannel IChannelProvider.Start(string name) => _env.Start(name);
        IPipe<TMessage> IChannelProvider.StartPipe<TMessage>(string name) => _env.StartPipe<TMessage>(name);
        IProgressChannel IProgressChannelProvider.StartProgressChannel(string name) => _env.StartProgressChannel(name);
    }

    public class LoggingEventArgs : EventArgs
    {
        public LoggingEventArgs(string message)
        {
            Message = message;
        }

        public LoggingEventArgs(string message, ChannelMessageKind kind, string source)
        {
            Message = message;
            Kind = kind;
            Source = source;
        }

        public string Source { get; }
        public ChannelMessageKind Kind { get; }
        public string Message { get; }
        public string RawMessage => RawMessageValue ?? Message;

        internal string RawMessageValue { get; init; }
    }
}
