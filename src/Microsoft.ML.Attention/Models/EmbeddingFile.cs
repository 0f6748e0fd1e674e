using System.Globalization;

namespace Microsoft.ML.Attention.Models;

/// <summary>
/// Pretrained word vectors in GloVe's text format (one word per line, then its values separated by spaces), read for
/// the words of a vocabulary. A line whose width differs from the model's, or that holds a value that is not a finite
/// number, is refused naming the file and the line.
/// </summary>
public static class EmbeddingFile
{
    /// <summary>
    /// The vectors of the words of <paramref name="vocabulary"/> found in <paramref name="path"/> (by id; the padding
    /// and unknown markers are never looked up), each of <paramref name="dimension"/> values.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A line has another width or a value that is not a finite number.</exception>
    public static Dictionary<int, float[]> Read(string path, Vocabulary vocabulary, int dimension)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The word-vector file '{path}' does not exist.", path);
        }

        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int id = 2; id < vocabulary.Count; id++)
        {
            ids[vocabulary.Words[id]] = id;
        }

        var vectors = new Dictionary<int, float[]>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != dimension + 1)
            {
                throw new InvalidDataException($"The word-vector file '{path}', line {lineNumber}: {parts.Length - 1} values after the word; the embedding has {dimension} (EmbeddingDimension).");
            }

            if (!ids.TryGetValue(parts[0], out int wordId) || vectors.ContainsKey(wordId))
            {
                continue;
            }

            var vector = new float[dimension];
            for (int k = 0; k < dimension; k++)
            {
                if (!float.TryParse(parts[k + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out vector[k]) || !float.IsFinite(vector[k]))
                {
                    throw new InvalidDataException($"The word-vector file '{path}', line {lineNumber}: value {k + 1} ('{parts[k + 1]}') is not a finite number.");
                }
            }

            vectors[wordId] = vector;
        }

        return vectors;
    }
}
