using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Strata.Distributed.Tests.Cli;

/// <summary><c>mpirun -np 2 strata train --distributed</c> end to end, against <c>strata train</c> in one process.</summary>
public sealed class TrainCommandDistributedTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"strata-mpi-{Guid.NewGuid():N}");

    public TrainCommandDistributedTests()
    {
        Directory.CreateDirectory(_folder);
        // Three classes of four features, each class bright on its own feature.
        var random = new Random(1);
        var csv = new StringBuilder("a,b,c,d,label\n");
        for (int i = 0; i < 120; i++)
        {
            int label = i % 3;
            for (int j = 0; j < 4; j++) csv.Append(CultureInfo.InvariantCulture, $"{(j == label ? 3 : 0) + random.NextDouble():F4},");
            csv.Append(CultureInfo.InvariantCulture, $"c{label}\n");
        }
        File.WriteAllText(Data, csv.ToString());
    }

    private string Data => Path.Combine(_folder, "table.csv");

    /// <summary>The built strata beside the tests (the test project references Strata.Cli).</summary>
    private static string Cli => Path.Combine(AppContext.BaseDirectory, "Strata.Cli.dll");

    private string[] Train(string run, params string[] extra) =>
        ["train", "--data", Data, "--label", "label", "--model", "mlp-bn", "--epochs", "2", "--batch-size", "16", "--validation", "24",
         "--seed", "3", "--threads", "1", "--output", Path.Combine(_folder, run), .. extra];

    [MpiFact]
    public void Two_ranks_train_the_model_one_process_trains_and_only_rank_0_reports_and_saves() =>
        TrainsAsOneProcess(2, "Data-parallel on 2 MPI ranks: global batch 16, 8 per rank, BatchNormalization synchronized");

    [MpiFact]
    public void Three_ranks_oversubscribed_with_uneven_shards_train_the_same_model() =>
        TrainsAsOneProcess(3, "Data-parallel on 3 MPI ranks: global batch 16, up to 6 per rank, BatchNormalization synchronized");

    private void TrainsAsOneProcess(int ranks, string announcement)
    {
        string run = $"ranks{ranks}";
        var (code, output) = MpiRun.Dotnet(ranks, Cli, Train(run, "--distributed"), TimeSpan.FromMinutes(3));
        Assert.True(code == 0, output);
        Assert.Contains(announcement, output);
        // Rank 0 alone prints (a bar or lines, as mpirun's output looks like a terminal or not).
        Assert.Single(Regex.Matches(output, @"epoch 2/2  loss [\d.]+  accuracy [\d.]+  val_loss"));
        Assert.Single(output.Split('\n'), l => l.StartsWith("model written to", StringComparison.Ordinal));

        var one = Process.Start(new ProcessStartInfo("dotnet", [Cli, .. Train("one")]) { RedirectStandardOutput = true })!;
        string single = one.StandardOutput.ReadToEnd();
        one.WaitForExit();
        Assert.True(one.ExitCode == 0, single);

        var expected = Sequential.Load(Path.Combine(_folder, "one", "model.safetensors"));
        var actual = Sequential.Load(Path.Combine(_folder, run, "model.safetensors"));
        var a = expected.Layers.SelectMany(l => l.Weights).SelectMany(w => w.Value.ToArray()).ToArray();
        var b = actual.Layers.SelectMany(l => l.Weights).SelectMany(w => w.Value.ToArray()).ToArray();
        Assert.Equal(a.Length, b.Length);
        double worst = a.Zip(b).Max(p => Math.Abs(p.First - p.Second) / Math.Max(1, Math.Abs(p.First)));
        Assert.True(worst <= 1e-5, $"largest relative difference {worst}");
    }

    [Fact]
    public void Distributed_without_open_mpi_is_refused_with_the_install_line()
    {
        var start = new ProcessStartInfo("dotnet", [Cli, .. Train("none", "--distributed")]) { RedirectStandardError = true };
        start.Environment["STRATA_MPI_LIBRARY"] = "/nonexistent/libmpi.so.40";
        using var process = Process.Start(start)!;
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(1, process.ExitCode);
        Assert.Contains("error: --distributed: Open MPI's library /nonexistent/libmpi.so.40 was not found", stderr);
        Assert.Contains("apt-get install openmpi-bin", stderr);
        Assert.False(Directory.Exists(Path.Combine(_folder, "none")));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
