using static Strata.Tests.Data.TestIdx;

namespace Strata.Tests.Data;

/// <summary>
/// IDX files that <see cref="Strata.Data.Idx"/> must refuse with an <see cref="InvalidDataException"/> naming the file:
/// truncated at every offset (raw and inside gzip), gzip streams cut short or corrupt, headers declaring more data than
/// the file holds or than one array may, negative dimensions, wrong magic numbers and ranks, and trailing bytes.
/// </summary>
internal static class HostileIdx
{
    public static IReadOnlyList<HostileFile> All { get; } = [.. Build()];

    private static IEnumerable<HostileFile> Build()
    {
        foreach (byte type in new byte[] { 0x08, 0x0E })
        {
            int size = type == 0x0E ? 8 : 1;
            byte[] full = [.. Header(type, 2, 3), .. Enumerable.Range(1, 6 * size).Select(i => (byte)i)];
            for (int length = 0; length < full.Length; length++)
            {
                int cut = length;
                yield return new($"cut-{type:X2}-{cut}.idx", $"cut-{type:X2}", "truncated", () => full[..cut]);
            }
        }

        byte[] small = [.. Header(0x08, 2, 3), 1, 2, 3, 4, 5, 6];
        for (int length = 0; length < small.Length; length++)
        {
            int cut = length;
            yield return new($"gzip-of-cut-{cut}.idx.gz", "gzip-of-cut", "truncated", () => Gzip(small[..cut]));
        }

        // The compressed stream itself ends early: the decompressor reports corruption or yields too few bytes. Cuts
        // inside the 8-byte trailer (CRC32 and size) are left out: .NET's GZipStream does not check the trailer, and by
        // then every data byte has arrived, so the data read is still complete.
        byte[] gz = Gzip([.. Header(0x08, 64), .. Enumerable.Range(0, 64).Select(i => (byte)(i * 13))]);
        for (int length = 2; length < gz.Length - 8; length++)
        {
            int cut = length;
            yield return new($"gzip-cut-{cut}.gz", "gzip-cut", "", () => gz[..cut]);
        }

        yield return HostileFile.Single("corrupt.gz", "corrupt", () => [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0xFF, 0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3]);

        // 10⁹ values would be a 4 GB float array; the file holds ten bytes.
        byte[] giant = [.. Header(0x08, 1_000_000, 1000), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        yield return HostileFile.Single("giant.idx", "truncated", () => giant);
        yield return HostileFile.Single("giant.idx.gz", "truncated", () => Gzip(giant));

        int[][] beyond = [[65536, 65536, 65536], [int.MaxValue, int.MaxValue], [2, 2, 2, 2, 2, 2, 2, int.MaxValue], [0x7FFFFFC8]];
        for (int i = 0; i < beyond.Length; i++)
        {
            int[] dims = beyond[i];
            yield return new($"beyond-one-array-{i}.idx", "beyond-one-array", "more than", () => [.. Header(0x08, dims), 1, 2, 3]);
        }

        yield return HostileFile.Single("negative.idx", "non-negative", () => [.. Header(0x08, 2, -1), 1, 2]);

        byte[][] magics = [[0x01, 0x00, 0x08, 0x01], [0x00, 0x01, 0x08, 0x01], [0x50, 0x4B, 0x03, 0x04], [0x00, 0x00, 0x0A, 0x01],
            [0x00, 0x00, 0x07, 0x01], [0x00, 0x00, 0xFF, 0x01]];
        for (int i = 0; i < magics.Length; i++)
        {
            byte[] magic = magics[i];
            yield return new($"magic-{Convert.ToHexString(magic)}.idx", "magic", "magic", () => [.. magic, 0, 0, 0, 1, 42]);
        }

        foreach (byte rank in new byte[] { 0, 9, 255 })
        {
            byte[] file = [0, 0, 0x08, rank, .. new byte[4 * rank], 1];
            yield return new($"rank-{rank}.idx", "rank", "rank", () => file);
            yield return new($"rank-{rank}.idx.gz", "rank", "rank", () => Gzip(file));
        }

        byte[] trailing = [.. Header(0x08, 3), 1, 2, 3, 99];
        yield return new("trailing.idx", "trailing", "unexpected bytes", () => trailing);
        yield return new("trailing.idx.gz", "trailing", "unexpected bytes", () => Gzip(trailing));
    }

    /// <summary>The names, for a theory over the catalogue.</summary>
    public static TheoryData<string> Names() => [.. All.Select(f => f.Name)];

    public static HostileFile Get(string name) => All.Single(f => f.Name == name);
}
