using Strata.Kernels.Simd;

namespace Strata.Tests.Kernels.Simd;

/// <summary>int32 lanes carried in float vectors come back exactly at every width, through Select, whatever float their bits read as.</summary>
public unsafe class Int32LanesTests
{
    /// <summary>out[i] = i + Start where Pick[i] &gt; 0, i + Other elsewhere, chosen in int32 lanes.</summary>
    private struct Choose : IVectorBody
    {
        public float* Pick;
        public int* Output;
        public int Start, Other;

        public readonly void Invoke<TV>(nint i) where TV : unmanaged, IVector<TV>
        {
            var take = TV.GreaterThan(TV.Load(Pick + i), TV.Zero);
            TV.StoreInt32(TV.Select(take, TV.Int32Sequence(Start + (int)i), TV.Int32Sequence(Other + (int)i)), Output + i);
        }
    }

    [Theory]
    [MemberData(nameof(Widths.Lanes), MemberType = typeof(Widths))]
    public void Sequences_survive_select_and_store(int lanes)
    {
        using var forced = Widths.Force(lanes);
        // Starts whose lanes read as floats that are denormal, beyond 2²⁴, negative, quiet and signaling NaN.
        int[] starts = [0, 1, (1 << 24) + 1, -1, int.MinValue, 0x7F800001, 0x7FC00000 - 3, int.MaxValue - 2000];
        foreach (int n in Widths.AwkwardLengths)
            foreach (int start in starts)
            {
                var pick = new float[n];
                var output = new int[n];
                var random = new Random(n);
                for (int i = 0; i < n; i++) pick[i] = random.Next(2) == 0 ? -1f : 1f;
                int other = start ^ 0x5A5A5A5;
                fixed (float* pp = pick)
                fixed (int* po = output)
                    Vectorized.For(new Choose { Pick = pp, Output = po, Start = start, Other = other }, n);
                for (int i = 0; i < n; i++)
                    Assert.Equal(unchecked((pick[i] > 0 ? start : other) + i), output[i]);
            }
    }
}
