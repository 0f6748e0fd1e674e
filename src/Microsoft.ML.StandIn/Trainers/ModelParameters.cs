using Microsoft.ML.Data;

namespace Microsoft.ML.Trainers
{
    /// <summary>A multiclass linear model: one weight vector and bias per class; scores are softmax probabilities.</summary>
    public sealed class MaximumEntropyModelParameters
    {
        internal MaximumEntropyModelParameters(float[][] weights, float[] biases)
        {
            Weights = weights;
            Biases = biases;
        }

        internal float[][] Weights { get; }
        internal float[] Biases { get; }
        internal int NumberOfClasses => Biases.Length;
        internal int NumberOfFeatures => Weights.Length == 0 ? 0 : Weights[0].Length;

        public void GetWeights(ref VBuffer<float>[] weights, out int numClasses)
        {
            numClasses = Biases.Length;
            if (weights == null || weights.Length < numClasses)
                weights = new VBuffer<float>[numClasses];
            for (int c = 0; c < numClasses; c++)
                VBuffer<float>.Copy(Weights[c], 0, ref weights[c], Weights[c].Length);
        }

        internal void Score(ReadOnlySpan<float> features, Span<float> probabilities)
        {
            int k = Biases.Length;
            double max = double.NegativeInfinity;
            Span<double> logits = k <= 64 ? stackalloc double[k] : new double[k];
            for (int c = 0; c < k; c++)
            {
                double s = Biases[c];
                var w = Weights[c];
                for (int j = 0; j < w.Length; j++)
                    s += w[j] * features[j];
                logits[c] = s;
                max = Math.Max(max, s);
            }
            double sum = 0;
            for (int c = 0; c < k; c++)
            {
                logits[c] = Math.Exp(logits[c] - max);
                sum += logits[c];
            }
            for (int c = 0; c < k; c++)
                probabilities[c] = (float)(logits[c] / sum);
        }
    }

    /// <summary>A binary linear model: score = weights · features + bias.</summary>
    public sealed class LinearBinaryModelParameters
    {
        internal LinearBinaryModelParameters(float[] weights, float bias)
        {
            WeightArray = weights;
            Bias = bias;
        }

        internal float[] WeightArray { get; }

        public IReadOnlyList<float> Weights => WeightArray;

        public float Bias { get; }

        internal float Score(ReadOnlySpan<float> features)
        {
            double s = Bias;
            for (int j = 0; j < WeightArray.Length; j++)
                s += WeightArray[j] * features[j];
            return (float)s;
        }
    }
}

namespace Microsoft.ML.Calibrators
{
    /// <summary>Maps a score to a probability: <c>1 / (1 + exp(Slope * score + Offset))</c>.</summary>
    public sealed class PlattCalibrator
    {
        internal PlattCalibrator(double slope, double offset)
        {
            Slope = slope;
            Offset = offset;
        }

        public double Slope { get; }
        public double Offset { get; }

        internal float PredictProbability(float score) => (float)(1 / (1 + Math.Exp(Slope * score + Offset)));
    }

    /// <summary>A model with a calibrator that turns its scores into probabilities.</summary>
    public abstract class CalibratedModelParametersBase<TSubModel, TCalibrator>
        where TSubModel : class
        where TCalibrator : class
    {
        private protected CalibratedModelParametersBase(TSubModel subModel, TCalibrator calibrator)
        {
            SubModel = subModel;
            Calibrator = calibrator;
        }

        public TSubModel SubModel { get; }
        public TCalibrator Calibrator { get; }
    }

    internal sealed class ParameterMixingCalibratedModelParameters<TSubModel, TCalibrator> : CalibratedModelParametersBase<TSubModel, TCalibrator>
        where TSubModel : class
        where TCalibrator : class
    {
        public ParameterMixingCalibratedModelParameters(TSubModel subModel, TCalibrator calibrator)
            : base(subModel, calibrator)
        {
        }
    }
}
