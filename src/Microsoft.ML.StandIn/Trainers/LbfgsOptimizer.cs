namespace Microsoft.ML.Trainers
{
    /// <summary>
    /// Limited-memory BFGS for f(x) = smooth(x) + l1 * sum(|x_i| over regularized i), with OWL-QN
    /// (orthant-wise pseudo-gradient and projection) when l1 &gt; 0. Stops when the mean relative improvement of the
    /// objective over the last five iterations falls below the tolerance, or after the iteration limit.
    /// </summary>
    internal sealed class LbfgsOptimizer
    {
        public delegate double Objective(double[] x, double[] gradient);

        private readonly int _memory;
        private readonly double _tolerance;
        private readonly int _maxIterations;
        private readonly double _l1;
        private readonly bool[] _l1Mask;
        private readonly bool _nonNegative;
        private readonly bool[] _nonNegativeMask;

        public LbfgsOptimizer(int memory, double tolerance, int maxIterations, double l1, bool[] l1Mask, bool nonNegative, bool[] nonNegativeMask)
        {
            _memory = Math.Max(1, memory);
            _tolerance = tolerance;
            _maxIterations = maxIterations;
            _l1 = l1;
            _l1Mask = l1Mask;
            _nonNegative = nonNegative;
            _nonNegativeMask = nonNegativeMask;
        }

        public int Iterations { get; private set; }

        public double Minimize(Objective f, double[] x, Action<int, double> onIteration = null, Func<bool> cancelled = null)
        {
            int n = x.Length;
            var g = new double[n];
            var pg = new double[n];
            Project(x, null);
            double value = f(x, g) + L1(x);
            var s = new List<double[]>();
            var y = new List<double[]>();
            var rho = new List<double>();
            var direction = new double[n];
            var xNew = new double[n];
            var gNew = new double[n];
            var alpha = new double[_memory];
            var history = new Queue<double>();
            history.Enqueue(value);
            for (Iterations = 0; Iterations < _maxIterations; Iterations++)
            {
                if (cancelled?.Invoke() == true)
                    throw new OperationCanceledException("Operation was canceled.");
                PseudoGradient(x, g, pg);
                if (Norm(pg) <= 1e-12 * Math.Max(1, Norm(x)))
                    break;
                // Two-loop recursion on the pseudo-gradient.
                for (int i = 0; i < n; i++)
                    direction[i] = -pg[i];
                int m = s.Count;
                for (int k = m - 1; k >= 0; k--)
                {
                    alpha[k] = rho[k] * Dot(s[k], direction);
                    Axpy(-alpha[k], y[k], direction);
                }
                if (m > 0)
                {
                    double gamma = Dot(s[m - 1], y[m - 1]) / Dot(y[m - 1], y[m - 1]);
                    for (int i = 0; i < n; i++)
                        direction[i] *= gamma;
                }
                for (int k = 0; k < m; k++)
                {
                    double beta = rho[k] * Dot(y[k], direction);
                    Axpy(alpha[k] - beta, s[k], direction);
                }
                if (_l1 > 0)
                {
                    // Keep the direction in the orthant of descent.
                    for (int i = 0; i < n; i++)
                    {
                        if (direction[i] * pg[i] >= 0)
                            direction[i] = 0;
                    }
                }
                double slope = Dot(direction, pg);
                if (!(slope < 0))
                {
                    for (int i = 0; i < n; i++)
                        direction[i] = -pg[i];
                    slope = Dot(direction, pg);
                    s.Clear();
                    y.Clear();
                    rho.Clear();
                }
                double step = m == 0 ? Math.Min(1.0, 1.0 / Math.Max(Norm(pg), 1e-12)) : 1.0;
                double newValue = 0;
                bool accepted = false;
                for (int attempt = 0; attempt < 60; attempt++)
                {
                    for (int i = 0; i < n; i++)
                        xNew[i] = x[i] + step * direction[i];
                    Project(xNew, x);
                    newValue = f(xNew, gNew) + L1(xNew);
                    double decrease = 0;
                    for (int i = 0; i < n; i++)
                        decrease += (xNew[i] - x[i]) * pg[i];
                    if (!double.IsNaN(newValue) && newValue <= value + 1e-4 * decrease)
                    {
                        accepted = true;
                        break;
                    }
                    step *= 0.5;
                }
                if (!accepted)
                    break;
                var sk = new double[n];
                var yk = new double[n];
                for (int i = 0; i < n; i++)
                {
                    sk[i] = xNew[i] - x[i];
                    yk[i] = gNew[i] - g[i];
                }
                double sy = Dot(sk, yk);
                if (sy > 1e-20)
                {
                    if (s.Count == _memory)
                    {
                        s.RemoveAt(0);
                        y.RemoveAt(0);
                        rho.RemoveAt(0);
                    }
                    s.Add(sk);
                    y.Add(yk);
                    rho.Add(1 / sy);
                }
                Array.Copy(xNew, x, n);
                Array.Copy(gNew, g, n);
                double previous = value;
                value = newValue;
                onIteration?.Invoke(Iterations + 1, value);
                history.Enqueue(value);
                if (history.Count > 6)
                    history.Dequeue();
                if (history.Count == 6)
                {
                    double first = history.Peek();
                    double meanImprovement = (first - value) / 5;
                    if (Math.Abs(meanImprovement) <= _tolerance * Math.Max(Math.Abs(value), 1e-12))
                        break;
                }
                if (previous == value)
                    break;
            }
            return value;
        }

        private double L1(double[] x)
        {
            if (_l1 <= 0)
                return 0;
            double sum = 0;
            for (int i = 0; i < x.Length; i++)
            {
                if (_l1Mask[i])
                    sum += Math.Abs(x[i]);
            }
            return _l1 * sum;
        }

        private void PseudoGradient(double[] x, double[] g, double[] pg)
        {
            for (int i = 0; i < x.Length; i++)
            {
                if (_l1 <= 0 || !_l1Mask[i])
                {
                    pg[i] = g[i];
                    continue;
                }
                if (x[i] > 0)
                    pg[i] = g[i] + _l1;
                else if (x[i] < 0)
                    pg[i] = g[i] - _l1;
                else if (g[i] + _l1 < 0)
                    pg[i] = g[i] + _l1;
                else if (g[i] - _l1 > 0)
                    pg[i] = g[i] - _l1;
                else
                    pg[i] = 0;
            }
            if (_nonNegative)
            {
                for (int i = 0; i < x.Length; i++)
                {
                    if (_nonNegativeMask[i] && x[i] <= 0 && pg[i] > 0)
                        pg[i] = 0;
                }
            }
        }

        /// <summary>OWL-QN projection: a coordinate may not cross zero in one step; optional non-negativity.</summary>
        private void Project(double[] xNew, double[] xOld)
        {
            for (int i = 0; i < xNew.Length; i++)
            {
                if (_l1 > 0 && xOld != null && _l1Mask[i] && xOld[i] != 0 && Math.Sign(xNew[i]) != Math.Sign(xOld[i]))
                    xNew[i] = 0;
                if (_nonNegative && _nonNegativeMask[i] && xNew[i] < 0)
                    xNew[i] = 0;
            }
        }

        private static double Dot(double[] a, double[] b)
        {
            double s = 0;
            for (int i = 0; i < a.Length; i++)
                s += a[i] * b[i];
            return s;
        }

        private static double Norm(double[] a) => Math.Sqrt(Dot(a, a));

        private static void Axpy(double a, double[] x, double[] y)
        {
            for (int i = 0; i < x.Length; i++)
                y[i] += a * x[i];
        }
    }
}
