namespace Strata.Data.Files.Tests;

/// <summary>A fresh folder under the system's temporary folder, deleted with everything in it on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("strata-files-").FullName;

    /// <summary>The path of <paramref name="relative"/> inside the folder, its parent folders created.</summary>
    public string File(string relative)
    {
        string path = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        return path;
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="relative"/> and returns its path.</summary>
    public string Write(string relative, string text)
    {
        string path = File(relative);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
