namespace Strata.Serialization;

/// <summary>
/// Writes a file so that a crash never leaves it half-written: the content goes to a temporary file in the same
/// directory, is flushed to disk, and then replaces the target in one rename.
/// </summary>
internal static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!, prefix = $".{Path.GetFileName(full)}.";
        RemoveStaleTemporaries(directory, prefix);
        string temporary = Path.Combine(directory, $"{prefix}{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>
    /// Deletes the temporaries that earlier saves of the same file left when they were killed. A save still in
    /// progress holds its temporary open without sharing (an exclusive lock on Unix), so it cannot be opened here
    /// and is left alone.
    /// </summary>
    private static void RemoveStaleTemporaries(string directory, string prefix)
    {
        if (!Directory.Exists(directory)) return;
        foreach (string stale in Directory.EnumerateFiles(directory, prefix + "*.tmp"))
        {
            try
            {
                using (new FileStream(stale, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) { }
                File.Delete(stale);
            }
            catch (IOException) { } // in use by a live save, or already gone
            catch (UnauthorizedAccessException) { } // not ours to remove
        }
    }
}
