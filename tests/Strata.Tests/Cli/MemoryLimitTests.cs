using System.Collections.Concurrent;
using Strata.Data;
using Strata.Layers;
using Strata.Tests.Data;
using Strata.Tests.Serialization;

namespace Strata.Tests.Cli;

/// <summary>
/// The real <c>strata</c>, in child processes whose heap is capped at 1 GB (<c>DOTNET_GCHeapHardLimit</c>), given every
/// kind of hostile file the test suite builds and the bombs of issue 12 — a 150 KB gzip IDX of 200 000 images (as the
/// images to predict, and as a dataset to evaluate and train on) and a 4096×4096 16-bit PNG: each is refused with one
/// error line and exit code 1, never a stack trace or a crash. The default budget (half of the 1 GB) refuses the gzip
/// bomb from its header; the PNG is refused for its size before it is decoded.
/// </summary>
public sealed class MemoryLimitTests : IDisposable
{
    private static readonly Dictionary<string, string> OneGigabyteHeap = new() { ["DOTNET_GCHeapHardLimit"] = "0x40000000" };

    private readonly string _root = Directory.CreateTempSubdirectory("strata-memory-limit-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Writes the kind-representatives of <paramref name="files"/> into their own folder; returns their paths.</summary>
    private IEnumerable<string> Write(string folder, IEnumerable<HostileFile> files)
    {
        string directory = Path.Combine(_root, folder);
        Directory.CreateDirectory(directory);
        foreach (var file in HostileFile.EachKind(files))
        {
            string path = Path.Combine(directory, file.Name);
            File.WriteAllBytes(path, file.Make());
            yield return path;
        }
    }

    /// <summary>A folder of the four Fashion-MNIST files, each images file a gzip bomb of 200 000 images.</summary>
    private string BombDataset()
    {
        string directory = Path.Combine(_root, "bomb-dataset");
        Directory.CreateDirectory(directory);
        foreach (string set in new[] { "train", "t10k" })
        {
            TestIdx.WriteGzipBomb(Path.Combine(directory, $"{set}-images-idx3-ubyte.gz"), 200_000);
            Idx.Write(Path.Combine(directory, $"{set}-labels-idx1-ubyte.gz"), new byte[200_000], gzip: true, 200_000);
        }
        return directory;
    }

    [Fact]
    public void Under_a_1_GB_heap_every_hostile_file_and_bomb_gets_one_error_line_and_exit_code_1()
    {
        string model = Path.Combine(_root, "model.safetensors");
        var classifier = new Sequential(new Flatten(inputShape: [28, 28]), new Dense(10, activation: "softmax")) { Seed = 1 };
        classifier.Build(new Shape(28, 28));
        classifier.Save(model, includeOptimizer: false);

        var runs = new List<string[]>();
        foreach (string path in Write("idx", HostileIdx.All).Concat(Write("png", HostilePng.All)))
            runs.Add(["predict", model, "--input", path]);
        foreach (string path in Write("safetensors", HostileSafeTensors.All).Concat(Write("models", HostileModelFiles.All)))
            runs.Add(["summary", path]);
        string gzipBomb = Path.Combine(_root, "bomb-idx3-ubyte.gz"), pngBomb = Path.Combine(_root, "bomb.png");
        TestIdx.WriteGzipBomb(gzipBomb, 200_000);
        File.WriteAllBytes(pngBomb, TestPng.Bomb(4096, 4096));
        string dataset = BombDataset();
        runs.Add(["predict", model, "--input", gzipBomb]);
        runs.Add(["predict", model, "--input", pngBomb]);
        runs.Add(["evaluate", model, "--data", dataset]);
        runs.Add(["train", "--data", dataset, "--epochs", "1"]);

        // Two at a time, as many as this machine has cores; every failure is listed, not only the first.
        var failures = new ConcurrentBag<string>();
        Parallel.ForEach(runs, new ParallelOptions { MaxDegreeOfParallelism = 2 }, args =>
        {
            var run = CliProcess.Run(args, OneGigabyteHeap);
            string? problem = run.ExitCode != 1 ? $"exit code {run.ExitCode}" : CliHarness.NotOneErrorLine(run.Stderr);
            if (problem is not null) failures.Add($"strata {string.Join(' ', args)}: {problem}\n{run.Stderr}");
        });
        Assert.True(failures.IsEmpty, $"{failures.Count} of {runs.Count} runs:\n" + string.Join("\n", failures));
        Assert.True(runs.Count > 80, $"only {runs.Count} runs");
    }
}
