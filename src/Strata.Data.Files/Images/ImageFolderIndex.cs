namespace Strata.Data.Files;

/// <summary>
/// The image files of a folder of class folders, listed as Keras's <c>index_directory</c> lists them: the classes
/// are the sub-folders in sorted order of their names; each class folder is walked recursively, folders in sorted
/// order of their paths and files in sorted order of their names within each; a file is taken when its name ends
/// (in any case) in .bmp, .gif, .jpeg, .jpg or .png, and other files are skipped. Files directly in the top folder
/// are not in any class and are skipped too. Sorting is ordinal, as Python sorts strings.
/// <para>
/// Unlike Keras, hidden files and folders (names starting with a dot) are skipped, so macOS's "._photo.jpg"
/// companions are not read as images; and symbolic links to folders inside a class are not followed (Keras's
/// <c>follow_links=False</c>), so a link cannot make the walk loop.
/// </para>
/// </summary>
internal static class ImageFolderIndex
{
    /// <summary>Keras's <c>ALLOWLIST_FORMATS</c>.</summary>
    public static readonly string[] Extensions = [".bmp", ".gif", ".jpeg", ".jpg", ".png"];

    private static readonly EnumerationOptions Visible = new() { AttributesToSkip = FileAttributes.Hidden | FileAttributes.System };

    private static readonly EnumerationOptions VisibleNotLinked =
        new() { AttributesToSkip = FileAttributes.Hidden | FileAttributes.System | FileAttributes.ReparsePoint };

    /// <summary>The class names and every image file with its class index, in Keras's order.</summary>
    public static (string[] ClassNames, List<(string Path, int Label)> Files) List(string directory)
    {
        string[] classNames = Directory.EnumerateDirectories(directory, "*", Visible)
            .Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        var files = new List<(string, int)>();
        for (int label = 0; label < classNames.Length; label++)
        {
            string classDirectory = Path.Combine(directory, classNames[label]);
            foreach (string folder in FoldersUnder(classDirectory).Order(StringComparer.Ordinal))
            {
                foreach (string file in Directory.EnumerateFiles(folder, "*", Visible).Where(IsImageName).Order(StringComparer.Ordinal))
                    files.Add((file, label));
            }
        }
        return (classNames, files);
    }

    private static IEnumerable<string> FoldersUnder(string folder) =>
        Directory.EnumerateDirectories(folder, "*", VisibleNotLinked).SelectMany(FoldersUnder).Prepend(folder);

    private static bool IsImageName(string path) =>
        Extensions.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase));
}
