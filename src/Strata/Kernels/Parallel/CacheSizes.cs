using System.Globalization;

namespace Strata.Kernels.Parallel;

/// <summary>
/// Data-cache sizes in bytes: the L1 data cache and the L2 of one core, and the L3 it shares with others. On Linux they
/// are read from <c>/sys/devices/system/cpu/cpu0/cache/index*/{level,type,size}</c>; a level that cannot be read there
/// (another operating system, a container without sysfs, a processor without that level) takes a default of
/// 32 KiB, 512 KiB or 8 MiB, small enough that blocking sized by it still fits most machines.
/// </summary>
internal readonly record struct CacheSizes(long L1Data, long L2, long L3)
{
    public const long DefaultL1Data = 32L << 10;
    public const long DefaultL2 = 512L << 10;
    public const long DefaultL3 = 8L << 20;

    private const string CpuZeroCaches = "/sys/devices/system/cpu/cpu0/cache";

    /// <summary>The caches of this machine (those of cpu0), read once when first asked for.</summary>
    public static CacheSizes Machine { get; } = Read(CpuZeroCaches);

    /// <summary>
    /// The sizes described by a sysfs cache directory (one <c>index*</c> subdirectory per cache, each holding
    /// <c>level</c>, <c>type</c> and <c>size</c>). Instruction caches are skipped; if a level lists several data or
    /// unified caches the largest counts; a level not found takes its default.
    /// </summary>
    public static CacheSizes Read(string directory)
    {
        long l1 = 0, l2 = 0, l3 = 0;
        try
        {
            if (Directory.Exists(directory))
            {
                foreach (string index in Directory.EnumerateDirectories(directory, "index*"))
                {
                    string? type = ReadValue(index, "type");
                    if (type is not ("Data" or "Unified"))
                        continue;
                    long bytes = ParseSize(ReadValue(index, "size"));
                    switch (ReadValue(index, "level"))
                    {
                        case "1": l1 = Math.Max(l1, bytes); break;
                        case "2": l2 = Math.Max(l2, bytes); break;
                        case "3": l3 = Math.Max(l3, bytes); break;
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // sysfs vanished or is unreadable: whatever was read so far stands, the rest is defaulted.
        }

        return new CacheSizes(
            l1 > 0 ? l1 : DefaultL1Data,
            l2 > 0 ? l2 : DefaultL2,
            l3 > 0 ? l3 : DefaultL3);
    }

    /// <summary>
    /// A size as sysfs writes it: a decimal count with an optional binary suffix K, M or G (<c>"48K"</c> = 49152,
    /// <c>"1M"</c> = 1048576), or 0 when the text is not one.
    /// </summary>
    public static long ParseSize(string? text)
    {
        ReadOnlySpan<char> digits = text.AsSpan().Trim();
        int shift = 0;
        if (!digits.IsEmpty)
        {
            shift = char.ToUpperInvariant(digits[^1]) switch { 'K' => 10, 'M' => 20, 'G' => 30, _ => 0 };
            if (shift > 0)
                digits = digits[..^1];
        }
        // A count above 2^32 of any unit is no cache; refusing it also keeps the shift from overflowing.
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long count) || count > uint.MaxValue)
            return 0;
        return count << shift;
    }

    private static string? ReadValue(string index, string name)
    {
        string path = Path.Combine(index, name);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
    }
}
