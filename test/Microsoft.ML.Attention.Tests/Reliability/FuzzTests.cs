using System.Diagnostics;

namespace Microsoft.ML.Attention.Tests.Reliability;

/// <summary>
/// The fuzzing harness: every <see cref="FuzzTargets"/> format gets mutated copies of its seed (200 each in CI; set
/// ATTENTION_FUZZ_ITERATIONS for longer runs, build/fuzz.sh), and each must be read or refused with the reader's
/// contract exception within 10 s and 256 MB of allocation. The first findings are listed with the mutation seed that
/// makes them, so they can be replayed.
/// </summary>
[TestClass]
public sealed class FuzzTests
{
    private const long AllocationLimit = 256L << 20;

    private static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(10);

    public static IEnumerable<object[]> Targets => FuzzTargets.All().Select(t => new object[] { t.Name });

    [TestMethod]
    [DynamicData(nameof(Targets))]
    [Timeout(600_000, CooperativeCancellation = true)]
    public void MutatedFiles_AreReadOrRefused_NeverCrashHangOrBalloon(string name)
    {
        FuzzTarget target = FuzzTargets.All().First(t => t.Name == name);
        int iterations = int.TryParse(Environment.GetEnvironmentVariable("ATTENTION_FUZZ_ITERATIONS"), out int n) && n > 0 ? n : 200;
        var findings = new List<string>();
        int refused = 0, read = 0;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < iterations; i++)
        {
            byte[] file = target.Mutate(new FileMutator(seed: i), target.Seed);
            if (Environment.GetEnvironmentVariable("ATTENTION_FUZZ_DUMP") is { Length: > 0 } dump && dump == $"{name}:{i}")
            {
                File.WriteAllBytes(Path.Combine(Path.GetTempPath(), $"fuzz-{name}-{i}.bin"), file);
            }

            Exception? thrown = null;
            long allocated = 0;
            var run = Task.Run(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    target.Read(file);
                }
                catch (Exception e)
                {
                    thrown = e is System.Reflection.TargetInvocationException { InnerException: { } inner } ? inner : e;
                }

                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            });
            if (!run.Wait(TimeLimit))
            {
                findings.Add($"mutation {i}: no answer within {TimeLimit.TotalSeconds} s");
                break; // the hung reader still holds a thread; stop here
            }

            if (allocated > AllocationLimit)
            {
                findings.Add($"mutation {i}: allocated {allocated >> 20} MB");
            }

            if (thrown is null)
            {
                read++;
            }
            else if (target.Contract.Any(t => t.IsInstanceOfType(thrown)))
            {
                refused++;
            }
            else
            {
                findings.Add($"mutation {i}: {thrown.GetType().Name}: {thrown.Message.Split('\n')[0]}");
            }
        }

        Console.WriteLine($"fuzz {name}: {iterations} mutated files, {read} read, {refused} refused, {findings.Count} findings, {sw.Elapsed.TotalSeconds:F1} s");
        Assert.AreEqual(0, findings.Count, $"{name}: " + string.Join("\n", findings.Take(10)));
        Assert.IsGreaterThan(0, refused, "the mutations must reach the readers' checks, or the harness shows nothing");
    }
}
