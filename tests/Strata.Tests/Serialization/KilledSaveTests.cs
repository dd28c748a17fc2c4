using System.Diagnostics;
using Strata.Layers;

namespace Strata.Tests.Serialization;

/// <summary>
/// A save killed for real: a child <c>strata fold</c> process writing a 64 MB model is killed (SIGKILL) while its
/// temporary file exists, and the model it was replacing must be intact and load; the next save removes the temporary.
/// </summary>
public sealed class KilledSaveTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("strata-kill-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Killing_a_process_in_the_middle_of_a_save_leaves_the_previous_file_intact()
    {
        // Dense(1) over 2²⁴ inputs, then BatchNormalization: a 64 MB kernel that costs almost nothing to run, so
        // `strata fold` spends its time reading and writing the file.
        const int inputs = 1 << 24;
        var model = new Sequential(new Dense(1, inputShape: [inputs]), new BatchNormalization()) { Seed = 1 };
        model.Build(new Shape(inputs));
        string source = Path.Combine(_dir, "big.safetensors"), target = Path.Combine(_dir, "folded.safetensors");
        model.Save(source);
        Assert.Equal(0, Fold(source, target, killWhenSaving: false));
        byte[] before = File.ReadAllBytes(target);

        bool killedMidSave = false;
        for (int attempt = 0; attempt < 5 && !killedMidSave; attempt++)
            killedMidSave = Fold(source, target, killWhenSaving: true) == -1;
        Assert.True(killedMidSave, "the child process finished its save before it could be killed in the middle of it");

        Assert.Equal(before, File.ReadAllBytes(target));
        Assert.Single(Directory.GetFiles(_dir, ".folded.safetensors.*.tmp")); // the half-written temporary, never renamed
        Assert.Single(Sequential.Load(target).Layers);

        // The next save into the folder removes the temporary the killed one left.
        Assert.Equal(0, Fold(source, target, killWhenSaving: false));
        Assert.Empty(Directory.GetFiles(_dir, ".folded.safetensors.*.tmp"));
    }

    [Fact]
    public void A_temporary_held_open_by_a_live_save_is_left_alone()
    {
        string target = Path.Combine(_dir, "model.safetensors"), live = Path.Combine(_dir, ".model.safetensors.live.tmp");
        using var held = new FileStream(live, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        var model = new Sequential(new Dense(1, inputShape: [2])) { Seed = 1 };
        model.Build(new Shape(2));
        model.Save(target);
        Assert.True(File.Exists(live));
    }

    /// <summary>Runs <c>strata fold</c>; with <paramref name="killWhenSaving"/> kills it once its temporary file appears (returns −1).</summary>
    private int Fold(string source, string target, bool killWhenSaving)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "Strata.Cli.dll");
        var start = new ProcessStartInfo("dotnet", ["exec", cli, "fold", source, "--output", target, "--rounds", "1", "--batch-size", "1"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        while (killWhenSaving && !process.HasExited)
        {
            if (Directory.EnumerateFiles(_dir, ".folded.safetensors.*.tmp").Any(f => new FileInfo(f).Length > 0))
            {
                process.Kill();
                process.WaitForExit();
                return -1;
            }
            Thread.Sleep(1);
        }
        process.WaitForExit();
        return process.ExitCode;
    }
}
