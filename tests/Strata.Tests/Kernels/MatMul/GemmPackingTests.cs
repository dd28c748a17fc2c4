using System.Runtime.Intrinsics.X86;
using Strata.Kernels.MatMul;

namespace Strata.Tests.Kernels.MatMul;

/// <summary>
/// The GEMM packing routines and the edge-tile write-back, each form (AVX where this machine has it, the portable
/// 128-bit one, scalar) against a plain scalar formulation, for the strip widths of the kernels and ragged lane counts.
/// </summary>
public unsafe class GemmPackingTests
{
    private const float Guard = 12345f;

    private static readonly int[] StepCounts = [1, 3, 4, 7, 8, 9, 13, 16, 17, 37];

    private delegate void Pack(float* src, nint ld, int lanes, int kc, int width, float* dst);

    private delegate void AddBack(float* from, int cols, bool accumulate, float* to);

    public static TheoryData<int> Widths() => [4, 5, 6, 8, 16, 32];

    [Theory]
    [MemberData(nameof(Widths))]
    public void Packing_lanes_along_k_matches_a_plain_transpose(int width)
    {
        var forms = new List<(string Name, Pack Pack)>
        {
            ("dispatched", GemmPacking.PackLanesAlongK),
            ("vector128", GemmPacking.PackLanesAlongKVector128),
            ("scalar", GemmPacking.PackLanesAlongKScalar),
        };
        if (Avx.IsSupported && width % 8 == 0)
            forms.Add(("avx", GemmPacking.PackLanesAlongKAvx));
        if (Avx.IsSupported && width == 6)
            forms.Add(("avx6", (src, ld, lanes, kc, w, dst) => GemmPacking.PackLanesAlongKAvx6(src, ld, lanes, kc, dst)));

        var random = new Random(width);
        foreach (int lanes in LaneCounts(width))
        {
            foreach (int kc in StepCounts)
            {
                // src: [lanes, kc] rows ld apart
                int ld = kc + 3;
                float[] src = GemmTests.RandomValues(random, lanes * ld);
                float[] expected = Expected(lanes, kc, width, (lane, p) => src[lane * ld + p]);
                foreach ((string name, Pack pack) in forms)
                    Check(name, pack, src, ld, lanes, kc, width, expected);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Packing_lanes_across_k_matches_a_plain_copy(int width)
    {
        var forms = new List<(string Name, Pack Pack)>
        {
            ("dispatched", GemmPacking.PackLanesAcrossK),
            ("portable", GemmPacking.PackLanesAcrossKPortable),
        };
        if (Avx.IsSupported && width % 8 == 0)
            forms.Add(("avx", GemmPacking.PackLanesAcrossKAvx));

        var random = new Random(100 + width);
        foreach (int lanes in LaneCounts(width))
        {
            foreach (int kc in StepCounts)
            {
                // src: [kc, lanes] rows ld apart
                int ld = lanes + 5;
                float[] src = GemmTests.RandomValues(random, kc * ld);
                float[] expected = Expected(lanes, kc, width, (lane, p) => src[p * ld + lane]);
                foreach ((string name, Pack pack) in forms)
                    Check(name, pack, src, ld, lanes, kc, width, expected);
            }
        }
    }

    [Fact]
    public void Copying_and_zeroing_runs_touch_exactly_the_runs()
    {
        // Every run length up to 17 (the fixed moves of 6, 8 and 16 and the general copy), strides wider than the run.
        var random = new Random(7);
        for (int length = 0; length <= 17; length++)
        {
            foreach (int count in new[] { 0, 1, 5 })
            {
                int fromStride = length + 3, toStride = length + 2;
                float[] from = GemmTests.RandomValues(random, count * fromStride + 1);
                float[] copied = Enumerable.Repeat(Guard, count * toStride + 1).ToArray();
                float[] zeroed = Enumerable.Repeat(Guard, count * toStride + 1).ToArray();
                fixed (float* pf = from, pc = copied, pz = zeroed)
                {
                    GemmPacking.CopyRuns(pf, fromStride, pc, toStride, length, count);
                    GemmPacking.ZeroRuns(pz, toStride, length, count);
                }
                for (int i = 0; i < copied.Length; i++)
                {
                    int run = i / toStride, offset = i % toStride;
                    bool inRun = run < count && offset < length;
                    Assert.Equal(inRun ? from[run * fromStride + offset] : Guard, copied[i]);
                    Assert.Equal(inRun ? 0f : Guard, zeroed[i]);
                }
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Add_back_writes_exactly_the_valid_columns(bool accumulate)
    {
        var forms = new List<(string Name, AddBack AddBack)>
        {
            ("dispatched", Gemm.AddBack),
            ("portable", Gemm.AddBackPortable),
        };
        if (Avx.IsSupported)
            forms.Add(("avx", Gemm.AddBackAvx));

        var random = new Random(accumulate ? 1 : 0);
        for (int cols = 0; cols <= 33; cols++)
        {
            // from: a scratch-tile row, readable up to a whole 8-float vector past cols; to: cols values, then guards
            float[] from = GemmTests.RandomValues(random, (cols + 7) / 8 * 8 + 8);
            float[] start = GemmTests.RandomValues(random, cols);
            foreach ((string name, AddBack addBack) in forms)
            {
                float[] to = [.. start, .. Enumerable.Repeat(Guard, 16)];
                fixed (float* pf = from, pt = to)
                    addBack(pf, cols, accumulate, pt);
                for (int j = 0; j < to.Length; j++)
                {
                    float want = j >= cols ? Guard : accumulate ? start[j] + from[j] : from[j];
                    if (!to[j].Equals(want))
                        Assert.Fail($"{name} cols={cols} accumulate={accumulate}: to[{j}] = {to[j]}, expected {want}");
                }
            }
        }
    }

    /// <summary>Lane counts that leave each kind of last strip: one lane, part of a 4- or 8-lane group, full, one over, several strips.</summary>
    private static IEnumerable<int> LaneCounts(int width)
        => new[] { 1, 2, 3, 5, 9, width - 1, width, width + 1, 2 * width + 3 }.Where(l => l >= 1).Distinct();

    /// <summary>The strips written out from their definition: <c>dst[s, p, l] = lane s·width + l at step p, or 0 past the lanes</c>.</summary>
    // dst: [ceil(lanes / width), kc, width]
    private static float[] Expected(int lanes, int kc, int width, Func<int, int, float> at)
    {
        int strips = (lanes + width - 1) / width;
        var dst = new float[strips * kc * width];
        for (int s = 0; s < strips; s++)
        {
            for (int p = 0; p < kc; p++)
            {
                for (int l = 0; l < width; l++)
                {
                    int lane = s * width + l;
                    dst[(s * kc + p) * width + l] = lane < lanes ? at(lane, p) : 0f;
                }
            }
        }
        return dst;
    }

    private static void Check(string name, Pack pack, float[] src, int ld, int lanes, int kc, int width, float[] expected)
    {
        // dst starts as NaN, so a value never written shows; the guards after it catch a write past the strips.
        float[] dst = [.. Enumerable.Repeat(float.NaN, expected.Length), .. Enumerable.Repeat(Guard, 16)];
        fixed (float* ps = src, pd = dst)
            pack(ps, ld, lanes, kc, width, pd);
        for (int i = 0; i < dst.Length; i++)
        {
            float want = i < expected.Length ? expected[i] : Guard;
            if (!dst[i].Equals(want))
            {
                Assert.Fail($"{name} width={width} lanes={lanes} kc={kc}: dst[{i}] (strip {i / (kc * width)}, step {i / width % kc}, " +
                    $"lane {i % width}) = {dst[i]}, expected {want}");
            }
        }
    }
}
