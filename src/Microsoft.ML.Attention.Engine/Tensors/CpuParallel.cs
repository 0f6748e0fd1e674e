namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// A fixed set of worker threads (one per core beyond the caller's) that spin briefly between jobs, so that
/// kernels as short as a few microseconds can use both cores without the thread pool's wake-up latency.
/// Nested calls run serially on the calling thread.
/// </summary>
internal static class CpuParallel
{
    private const int SpinIterations = 20_000;
    private static readonly Worker[] s_workers = CreateWorkers();
    private static readonly object s_dispatch = new();

    [ThreadStatic]
    private static bool t_inside;

    [ThreadStatic]
    private static bool t_serial;

    /// <summary>
    /// The number of threads a parallel loop uses (the caller included): 1 inside <see cref="Serial"/> and inside the
    /// body of a parallel loop (where nested loops run serially), so that kernels pick their one-core strategy there.
    /// </summary>
    internal static int Degree => t_serial || t_inside ? 1 : s_workers.Length + 1;

    /// <summary>
    /// Until disposed, the calling thread's loops run on it alone (no workers); scopes nest. For callers that already
    /// keep every core busy with threads of their own.
    /// </summary>
    internal static SerialScope Serial()
    {
        bool outer = t_serial;
        t_serial = true;
        return new SerialScope(outer);
    }

    /// <summary>Runs <paramref name="body"/> for every index in [0, <paramref name="count"/>), spread over all cores.</summary>
    internal static void For(int count, Action<int> body)
    {
        if (count <= 0)
        {
            return;
        }

        if (count == 1)
        {
            body(0);
            return;
        }

        // One caller at a time owns the workers; a concurrent caller (another thread) runs its loop itself.
        if (s_workers.Length == 0 || t_inside || t_serial || !Monitor.TryEnter(s_dispatch))
        {
            RunSerially(count, body);
            return;
        }

        try
        {
            Dispatch(count, body);
        }
        finally
        {
            Monitor.Exit(s_dispatch);
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/>(start, count) over [0, <paramref name="length"/>) items: in one piece for small tensors,
    /// otherwise in pieces (multiples of <paramref name="granule"/> items) spread over the cores. For work where each
    /// element or row stands alone, so the result does not depend on the split.
    /// </summary>
    internal static void ForRanges(int length, Action<int, int> body, int granule = 64, int elementsPerItem = 1)
    {
        const int ParallelElements = 1 << 16;
        int units = (length + granule - 1) / granule;
        if ((long)length * elementsPerItem < ParallelElements || Degree == 1 || units < 2)
        {
            body(0, length);
            return;
        }

        int chunks = Math.Min(units, Degree * 4);
        For(chunks, c =>
        {
            int start = (int)((long)units * c / chunks) * granule, end = Math.Min(length, (int)((long)units * (c + 1) / chunks) * granule);
            if (end > start)
            {
                body(start, end - start);
            }
        });
    }

    private static void RunSerially(int count, Action<int> body)
    {
        bool outer = t_inside;
        t_inside = true;
        try
        {
            for (int i = 0; i < count; i++)
            {
                body(i);
            }
        }
        finally
        {
            t_inside = outer;
        }
    }

    private static void Dispatch(int count, Action<int> body)
    {
        int helpers = Math.Min(s_workers.Length, count - 1);
        var job = new Job(body, count, helpers);
        for (int w = 0; w < helpers; w++)
        {
            s_workers[w].Post(job);
        }

        t_inside = true;
        try
        {
            job.Run();
        }
        finally
        {
            t_inside = false;
        }

        job.WaitForHelpers();
    }

    private static Worker[] CreateWorkers()
    {
        int n = Math.Max(0, Environment.ProcessorCount - 1);
        var workers = new Worker[n];
        for (int i = 0; i < n; i++)
        {
            workers[i] = new Worker(i);
        }

        return workers;
    }

    /// <summary>Ends a <see cref="Serial"/> scope on the thread that began it.</summary>
    internal readonly struct SerialScope(bool outer) : IDisposable
    {
        public void Dispose() => t_serial = outer;
    }

    private sealed class Job(Action<int> body, int count, int helpers)
    {
        private int _next = -1;
        private int _pendingHelpers = helpers;
        private Exception? _error;

        internal void Run()
        {
            int i;
            while ((i = Interlocked.Increment(ref _next)) < count)
            {
                try
                {
                    body(i);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref _error, e, null);
                    Volatile.Write(ref _next, count);
                }
            }
        }

        internal void HelperDone() => Interlocked.Decrement(ref _pendingHelpers);

        internal void WaitForHelpers()
        {
            var spinner = new SpinWait();
            while (Volatile.Read(ref _pendingHelpers) > 0)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }

            if (_error is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(_error);
            }
        }
    }

    private sealed class Worker
    {
        private readonly SemaphoreSlim _wake = new(0);
        private Job? _pending;
        private int _sleeping;

        internal Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Attention CPU worker {index}" };
            thread.Start();
        }

        internal void Post(Job job)
        {
            Interlocked.Exchange(ref _pending, job);
            if (Volatile.Read(ref _sleeping) == 1)
            {
                _wake.Release();
            }
        }

        private void Loop()
        {
            t_inside = true;
            while (true)
            {
                Job? job = null;
                for (int spin = 0; spin < SpinIterations && job is null; spin++)
                {
                    job = Interlocked.Exchange(ref _pending, null);
                    if (job is null)
                    {
                        Thread.SpinWait(8);
                    }
                }

                if (job is null)
                {
                    Interlocked.Exchange(ref _sleeping, 1);
                    job = Interlocked.Exchange(ref _pending, null);
                    if (job is null)
                    {
                        _wake.Wait();
                        Interlocked.Exchange(ref _sleeping, 0);
                        continue;
                    }

                    Interlocked.Exchange(ref _sleeping, 0);
                }

                job.Run();
                job.HelperDone();
            }
        }
    }
}
