// Trains AttentionEncode on generated texts as a user's Fit would, writing a checkpoint every epoch into a folder, and
// writes the fitted model's embeddings of the first rows to a file. Used by the checkpoint tests, which kill it mid-epoch
// and start it again with "resume".
//   Microsoft.ML.Attention.TrainingProbe CHECKPOINT_DIR OUTPUT_FILE [resume]
// Prints "epoch N" after each epoch's checkpoint is written, and "resumed" lines from the pack's log.
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Data;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Microsoft.ML.Attention.TrainingProbe CHECKPOINT_DIR OUTPUT_FILE [resume]");
    return 2;
}

var ml = new MLContext(seed: 1);
ml.Log += (_, e) =>
{
    if (e.Message.Contains("AttentionEncode: epoch", StringComparison.Ordinal))
    {
        Console.WriteLine(e.Message);
    }
};
var random = new Random(5);
string[] words = ["red", "green", "blue", "the", "a", "cat", "dog", "sat", "on", "mat", "ran", "saw", "big", "small", "old", "new"];
var rows = Enumerable.Range(0, 4_000).Select(i =>
{
    string[] text = [.. Enumerable.Range(0, 24).Select(_ => words[random.Next(words.Length)])];
    return new Row { Text = string.Join(' ', text), Label = text.Count(w => w == "red") > text.Count(w => w == "blue") };
}).ToList();
IDataView data = ml.Data.LoadFromEnumerable(rows);
var options = new AttentionEncodeOptions
{
    LabelColumnName = "Label", ModelDimension = 32, Heads = 4, Layers = 2, FeedForwardDimension = 64, Epochs = 6, MaximumLength = 24,
    Seed = 7, EarlyStoppingPatience = 10, CheckpointDirectory = args[0], ResumeFromCheckpoint = args.Length > 2 && args[2] == "resume",
};
var model = ml.Transforms.AttentionEncode(options).Fit(data);
float[][] embeddings = [.. model.Transform(ml.Data.TakeRows(data, 20)).GetColumn<float[]>("Embedding")];
File.WriteAllLines(args[1], embeddings.Select(e => string.Join(" ", e.Select(v => BitConverter.SingleToInt32Bits(v).ToString("x8", CultureInfo.InvariantCulture)))));
Console.WriteLine("done");
return 0;

internal sealed class Row
{
    public string Text { get; set; } = "";

    public bool Label { get; set; }
}
