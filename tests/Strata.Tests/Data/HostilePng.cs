using static Strata.Tests.Data.TestPng;

namespace Strata.Tests.Data;

/// <summary>
/// PNG files that <see cref="Strata.Data.Png"/> must refuse with an <see cref="InvalidDataException"/>: headers that lie
/// or ask for what it does not read, image data too short, not zlib or with unknown filters, a missing palette or IEND,
/// and an independent encoder's file truncated and with flipped bytes (each chunk's CRC catches those).
/// </summary>
internal static class HostilePng
{
    public static IReadOnlyList<HostileFile> All { get; } = [.. Build()];

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Data", "Fixtures", name);

    private static IEnumerable<HostileFile> Build()
    {
        (string Name, string Reason, Func<byte[]> Make)[] headers =
        [
            ("huge", "pixels", () => TestPng.Build(("IHDR", Header(100_000, 100_000)), ("IDAT", Zlib([0])), ("IEND", []))),
            ("negative-width", "pixels", () => TestPng.Build(("IHDR", Header(-5, 3)), ("IEND", []))),
            ("interlaced", "interlaced", () => TestPng.Build(("IHDR", Header(2, 2, interlace: 1)), ("IEND", []))),
            ("4-bit", "not supported", () => TestPng.Build(("IHDR", Header(2, 2, depth: 4)), ("IEND", []))),
            ("critical-chunk", "critical chunk", () => TestPng.Build(("IHDR", Header(1, 1)), ("ZZZZ", []), ("IEND", []))),
            ("data-cannot-hold", "cannot hold", () => TestPng.Build(("IHDR", Header(4096, 4096, depth: 16, color: 6)), ("IDAT", Zlib([0, 1, 2])), ("IEND", []))),
            ("data-short", "shorter", () => TestPng.Build(("IHDR", Header(4, 4)), ("IDAT", Zlib([0, 1, 2])), ("IEND", []))),
            ("not-zlib", "zlib", () => TestPng.Build(("IHDR", Header(1, 1)), ("IDAT", [1, 2, 3, 4]), ("IEND", []))),
            ("unknown-filter", "filter", () => TestPng.Build(("IHDR", Header(1, 1)), ("IDAT", Zlib([9, 0])), ("IEND", []))),
            ("no-palette", "palette", () => TestPng.Build(("IHDR", Header(1, 1, color: 3)), ("IDAT", Zlib([0, 0])), ("IEND", []))),
            ("no-iend", "IEND", () => TestPng.Build(("IHDR", Header(1, 1)), ("IDAT", Zlib([0, 0])))),
        ];
        foreach (var (name, reason, make) in headers) yield return HostileFile.Single($"{name}.png", reason, make);

        byte[] rgb = File.ReadAllBytes(Fixture("rgb.png"));
        foreach (int length in new[] { 0, 7, 8, 16, 33, rgb.Length / 2, rgb.Length - 1 })
            yield return new($"rgb-cut-{length}.png", "rgb-cut", "", () => rgb[..length]);
        for (int p = 8; p < rgb.Length; p += 7)
        {
            int at = p;
            yield return new($"rgb-flip-{at}.png", "rgb-flip", "", () =>
            {
                var copy = (byte[])rgb.Clone();
                copy[at] ^= 0x04;
                return copy;
            });
        }
    }

    /// <summary>The names, for a theory over the catalogue.</summary>
    public static TheoryData<string> Names() => [.. All.Select(f => f.Name)];

    public static HostileFile Get(string name) => All.Single(f => f.Name == name);
}
