namespace Strata.Cli.Inputs;

/// <summary>What kind of source <c>--data</c> named, which decides how it is read and whether it needs shuffling.</summary>
internal enum SourceKind
{
    /// <summary>Fashion-MNIST's IDX files, as the Debian package installs them.</summary>
    FashionMnist,

    /// <summary>Any other folder of IDX image/label pairs (MNIST and its kin).</summary>
    Idx,

    /// <summary>A CSV (or TSV) table with a label column.</summary>
    Csv,

    /// <summary>A folder of class sub-folders of images.</summary>
    ImageFolder,
}

/// <summary>How a <see cref="SourceKind"/> reads in messages, and what its order means.</summary>
internal static class SourceKinds
{
    /// <summary>"Fashion-MNIST", "IDX", "CSV" or "image folder".</summary>
    public static string Describe(this SourceKind kind) => kind switch
    {
        SourceKind.FashionMnist => "Fashion-MNIST",
        SourceKind.Idx => "IDX",
        SourceKind.Csv => "CSV",
        _ => "image folder",
    };

    /// <summary>
    /// True when the samples may come in class order: a table is often sorted by its label, and an image folder is
    /// read class by class. IDX datasets come shuffled by their makers.
    /// </summary>
    public static bool MayBeSorted(this SourceKind kind) => kind is SourceKind.Csv or SourceKind.ImageFolder;
}
