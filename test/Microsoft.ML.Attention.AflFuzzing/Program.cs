using Microsoft.ML;
using Microsoft.ML.Attention.AflFuzzing;

// Coverage-guided fuzzing of the files the pack reads, driven by afl++ through SharpFuzz (build/fuzz-afl.sh):
//   dotnet Microsoft.ML.Attention.AflFuzzing.dll seeds DIR      writes one seed file per target into DIR/<target>/
//   dotnet Microsoft.ML.Attention.AflFuzzing.dll TARGET         reads afl's inputs (SharpFuzz out-of-process mode)
//   dotnet Microsoft.ML.Attention.AflFuzzing.dll TARGET FILE    reads one file and prints what happened (replaying a finding)
// A finding is any exception outside the reader's contract (InvalidDataException, NotSupportedException), a crash or a hang.
if (args.Length == 2 && args[0] == "seeds")
{
    foreach (AflTarget target in AflTargets.All)
    {
        string folder = Directory.CreateDirectory(Path.Combine(args[1], target.Name)).FullName;
        File.WriteAllBytes(Path.Combine(folder, "seed.bin"), target.Seed());
    }

    return 0;
}

AflTarget? chosen = args.Length >= 1 ? AflTargets.All.FirstOrDefault(t => t.Name == args[0]) : null;
if (chosen is null)
{
    Console.Error.WriteLine($"usage: seeds DIR | TARGET [FILE]; targets: {string.Join(", ", AflTargets.All.Select(t => t.Name))}");
    return 2;
}

if (args.Length == 2)
{
    try
    {
        chosen.Read(File.ReadAllBytes(args[1]));
        Console.WriteLine("read");
    }
    catch (Exception e) when (chosen.IsContract(e))
    {
        Console.WriteLine($"refused: {e.GetType().Name}: {e.Message}");
    }

    return 0;
}

SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    try
    {
        chosen.Read(buffer.ToArray());
    }
    catch (Exception e) when (chosen.IsContract(e))
    {
        // A damaged file refused with the reader's own exception: what the contract promises.
    }
});
return 0;
