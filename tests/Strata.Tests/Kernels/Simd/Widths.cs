using Strata.Kernels.Simd;

namespace Strata.Tests.Kernels.Simd;

/// <summary>
/// The vector widths every kernel test runs at, by float lanes (1 = scalar, 4 = Vector128, 8 = Vector256,
/// 16 = Vector512). A width the machine does not accelerate is emulated by the runtime, so every path is checked on
/// every machine. Forcing a width affects only the calling thread and the pool jobs it starts.
/// </summary>
public static class Widths
{
    public static TheoryData<int> Lanes => new() { 1, 4, 8, 16 };

    /// <summary>0, 1, every length up to three of the widest vectors + 1, and a few long ones with ragged ends.</summary>
    public static IEnumerable<int> AwkwardLengths => Enumerable.Range(0, 3 * 16 + 2).Concat([63, 257, 1023]);

    internal static VectorWidths.ForcedWidth Force(int lanes) => VectorWidths.Force((VectorWidth)lanes);
}
