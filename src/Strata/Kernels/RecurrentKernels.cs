using System.Numerics.Tensors;

namespace Strata.Kernels;

/// <summary>
/// Element-wise pieces of the recurrent layers (SimpleRnn, Lstm, Gru) and the layout changes around them.
/// The layers keep their per-step tensors time-major ([time, batch, ·]) so that step t is one contiguous block
/// and the products over all steps (x·W, the weight gradients) are single GEMMs; inputs and outputs are
/// batch-major ([batch, time, ·]) as in Keras. Gate rows are [batch, k·units] with the gates side by side in
/// Keras's column order. The arithmetic runs through TensorPrimitives on row segments, so it is vectorized
/// without a hand-written SIMD loop (and so without a scalar twin).
/// </summary>
internal static class RecurrentKernels
{
    /// <summary>
    /// Swaps the two leading axes: dst[j, i, :] = src[i, j, :]. With (a, b) = (batch, time) it turns a
    /// batch-major sequence into a time-major one; with (time, batch) it turns it back.
    /// </summary>
    // src: [a, b, width]; dst: [b, a, width]
    public static void SwapLeadingAxes(ReadOnlySpan<float> src, int a, int b, int width, Span<float> dst)
    {
        Check(src.Length, a * b * width);
        Check(dst.Length, a * b * width);
        for (int i = 0; i < a; i++)
            for (int j = 0; j < b; j++)
                src.Slice((i * b + j) * width, width).CopyTo(dst.Slice((j * a + i) * width, width));
    }

    /// <summary>dH[n, :] += dY[n, t, :] for every n: the slice of a batch-major sequence gradient at step t.</summary>
    // dY: [batch, time, units]; dH: [batch, units]
    public static void AddStep(ReadOnlySpan<float> dY, int t, int batch, int time, int units, Span<float> dH)
    {
        Check(dY.Length, batch * time * units);
        Check(dH.Length, batch * units);
        for (int n = 0; n < batch; n++)
        {
            var row = dH.Slice(n * units, units);
            TensorPrimitives.Add(row, dY.Slice((n * time + t) * units, units), row);
        }
    }

    /// <summary>dst[n, g·u:(g+count)·u] += src[n, same columns] for every row: gates [gate, gate + count) of src added into dst.</summary>
    // src, dst: [batch, gates·units]
    public static void AddGates(ReadOnlySpan<float> src, int batch, int gates, int units, int gate, int count, Span<float> dst)
    {
        int width = gates * units, offset = gate * units, length = count * units;
        Check(src.Length, batch * width);
        Check(dst.Length, batch * width);
        for (int n = 0; n < batch; n++)
        {
            var d = dst.Slice(n * width + offset, length);
            TensorPrimitives.Add(d, src.Slice(n * width + offset, length), d);
        }
    }

    /// <summary>dst[n, g·u:(g+count)·u] = src[n, same columns] for every row.</summary>
    // src, dst: [batch, gates·units]
    public static void CopyGates(ReadOnlySpan<float> src, int batch, int gates, int units, int gate, int count, Span<float> dst)
    {
        int width = gates * units, offset = gate * units, length = count * units;
        Check(src.Length, batch * width);
        Check(dst.Length, batch * width);
        for (int n = 0; n < batch; n++)
            src.Slice(n * width + offset, length).CopyTo(dst.Slice(n * width + offset, length));
    }

    /// <summary>dst[n, gate·u:(gate+count)·u] += src[n, :] for every row: a block of <paramref name="count"/> gates added into its place.</summary>
    // src: [rows, count·units]; dst: [rows, gates·units]
    public static void AddToGates(ReadOnlySpan<float> src, int rows, int gates, int units, int gate, int count, Span<float> dst)
    {
        int width = gates * units, length = count * units;
        Check(src.Length, rows * length);
        Check(dst.Length, rows * width);
        for (int n = 0; n < rows; n++)
        {
            var d = dst.Slice(n * width + gate * units, length);
            TensorPrimitives.Add(d, src.Slice(n * length, length), d);
        }
    }

    /// <summary>dst[n, :] = src[n, gate·u:(gate+count)·u] for every row: a block of gates taken out contiguous.</summary>
    // src: [rows, gates·units]; dst: [rows, count·units]
    public static void CopyFromGates(ReadOnlySpan<float> src, int rows, int gates, int units, int gate, int count, Span<float> dst)
    {
        int width = gates * units, length = count * units;
        Check(src.Length, rows * width);
        Check(dst.Length, rows * length);
        for (int n = 0; n < rows; n++)
            src.Slice(n * width + gate * units, length).CopyTo(dst.Slice(n * length, length));
    }

    /// <summary>dst[n, gate·u:(gate+1)·u] = v[n, :] ⊙ w[n, :] for every row.</summary>
    // v, w: [batch, units]; dst: [batch, gates·units]
    public static void MultiplyIntoGate(ReadOnlySpan<float> v, ReadOnlySpan<float> w, int batch, int gates, int units, int gate, Span<float> dst)
    {
        Check(dst.Length, batch * gates * units);
        for (int n = 0; n < batch; n++)
            TensorPrimitives.Multiply(v.Slice(n * units, units), w.Slice(n * units, units), dst.Slice(n * gates * units + gate * units, units));
    }

    /// <summary>result[n, :] += a[n, gate·u:(gate+1)·u] ⊙ v[n, :] for every row.</summary>
    // a: [batch, gates·units]; v, result: [batch, units]
    public static void MultiplyGateAdd(ReadOnlySpan<float> a, int gates, int gate, ReadOnlySpan<float> v, int batch, int units, Span<float> result)
    {
        Check(a.Length, batch * gates * units);
        for (int n = 0; n < batch; n++)
        {
            var r = result.Slice(n * units, units);
            TensorPrimitives.MultiplyAdd(a.Slice(n * gates * units + gate * units, units), v.Slice(n * units, units), r, r);
        }
    }

    /// <summary>
    /// The LSTM cell update from activated gates a = [i, f, g, o] (Keras's column order):
    /// c_t = f ⊙ c_{t−1} + i ⊙ g. The caller then forms h_t = o ⊙ φ(c_t) with <see cref="MultiplyGate"/>.
    /// </summary>
    // a: [batch, 4·units]; cPrev, c: [batch, units]
    public static void LstmCell(ReadOnlySpan<float> a, ReadOnlySpan<float> cPrev, int batch, int units, Span<float> c)
    {
        Check(a.Length, batch * 4 * units);
        for (int n = 0; n < batch; n++)
        {
            var row = a.Slice(n * 4 * units, 4 * units);
            var cRow = c.Slice(n * units, units);
            TensorPrimitives.Multiply(row.Slice(units, units), cPrev.Slice(n * units, units), cRow);        // f ⊙ c_{t−1}
            TensorPrimitives.MultiplyAdd(row[..units], row.Slice(2 * units, units), cRow, cRow);          // + i ⊙ g
        }
    }

    /// <summary>out[n, :] = a[n, gate·u:(gate+1)·u] ⊙ v[n, :] for every row (one gate times a state).</summary>
    // a: [batch, gates·units]; v, result: [batch, units]
    public static void MultiplyGate(ReadOnlySpan<float> a, int gates, int gate, ReadOnlySpan<float> v, int batch, int units, Span<float> result)
    {
        Check(a.Length, batch * gates * units);
        for (int n = 0; n < batch; n++)
            TensorPrimitives.Multiply(a.Slice(n * gates * units + gate * units, units), v.Slice(n * units, units), result.Slice(n * units, units));
    }

    /// <summary>
    /// LSTM backward through h_t = o ⊙ φ(c_t), first half: dA_o = dh ⊙ φ(c_t) (written into gate o of dA) and
    /// dφ = dh ⊙ o (the gradient reaching φ(c_t), to be taken through φ' by the caller).
    /// </summary>
    // a, dA: [batch, 4·units]; dH, phiC, dPhi: [batch, units]
    public static void LstmOutputBackward(ReadOnlySpan<float> a, ReadOnlySpan<float> phiC, ReadOnlySpan<float> dH, int batch, int units,
        Span<float> dA, Span<float> dPhi)
    {
        Check(a.Length, batch * 4 * units);
        Check(dA.Length, batch * 4 * units);
        for (int n = 0; n < batch; n++)
        {
            var dh = dH.Slice(n * units, units);
            TensorPrimitives.Multiply(dh, phiC.Slice(n * units, units), dA.Slice(n * 4 * units + 3 * units, units));
            TensorPrimitives.Multiply(dh, a.Slice(n * 4 * units + 3 * units, units), dPhi.Slice(n * units, units));
        }
    }

    /// <summary>
    /// LSTM backward through c_t = f ⊙ c_{t−1} + i ⊙ g, given dc = ∂L/∂c_t (both paths already summed):
    /// dA_i = dc ⊙ g, dA_f = dc ⊙ c_{t−1}, dA_g = dc ⊙ i, and dc_{t−1} = dc ⊙ f, written over dc.
    /// </summary>
    // a, dA: [batch, 4·units]; cPrev, dC: [batch, units]
    public static void LstmCellBackward(ReadOnlySpan<float> a, ReadOnlySpan<float> cPrev, int batch, int units, Span<float> dA, Span<float> dC)
    {
        Check(a.Length, batch * 4 * units);
        Check(dA.Length, batch * 4 * units);
        for (int n = 0; n < batch; n++)
        {
            var row = a.Slice(n * 4 * units, 4 * units);
            var dRow = dA.Slice(n * 4 * units, 4 * units);
            var dc = dC.Slice(n * units, units);
            TensorPrimitives.Multiply(dc, row.Slice(2 * units, units), dRow[..units]);                 // dA_i = dc ⊙ g
            TensorPrimitives.Multiply(dc, cPrev.Slice(n * units, units), dRow.Slice(units, units));     // dA_f = dc ⊙ c_{t−1}
            TensorPrimitives.Multiply(dc, row[..units], dRow.Slice(2 * units, units));                  // dA_g = dc ⊙ i
            TensorPrimitives.Multiply(dc, row.Slice(units, units), dc);                                 // dc_{t−1} = dc ⊙ f
        }
    }

    /// <summary>
    /// The GRU (reset after) candidate's input: s[n, :] = x_h[n, :] + r[n, :] ⊙ rec_h[n, :], where x_h is gate h of
    /// the input projection <paramref name="z"/>, r gate r of the activations <paramref name="a"/> and rec_h gate h
    /// of the recurrent projection <paramref name="rec"/>. The result goes into gate h of <paramref name="z"/>'s
    /// copy <paramref name="s"/> (s may alias z).
    /// </summary>
    // z, a, rec, s: [batch, 3·units]
    public static void GruCandidateInput(ReadOnlySpan<float> z, ReadOnlySpan<float> a, ReadOnlySpan<float> rec, int batch, int units, Span<float> s)
    {
        Check(z.Length, batch * 3 * units);
        for (int n = 0; n < batch; n++)
        {
            int row = n * 3 * units;
            TensorPrimitives.MultiplyAdd(a.Slice(row + units, units), rec.Slice(row + 2 * units, units), z.Slice(row + 2 * units, units),
                s.Slice(row + 2 * units, units));
        }
    }

    /// <summary>GRU state update h_t = z ⊙ h_{t−1} + (1 − z) ⊙ ĥ = ĥ + z ⊙ (h_{t−1} − ĥ), with a = [z, r, ĥ].</summary>
    // a: [batch, 3·units]; hPrev, h: [batch, units]
    public static void GruUpdate(ReadOnlySpan<float> a, ReadOnlySpan<float> hPrev, int batch, int units, Span<float> h)
    {
        Check(a.Length, batch * 3 * units);
        for (int n = 0; n < batch; n++)
        {
            var row = a.Slice(n * 3 * units, 3 * units);
            var hRow = h.Slice(n * units, units);
            var cand = row.Slice(2 * units, units);
            TensorPrimitives.Subtract(hPrev.Slice(n * units, units), cand, hRow);
            TensorPrimitives.MultiplyAdd(row[..units], hRow, cand, hRow);
        }
    }

    /// <summary>
    /// GRU backward through h_t = z ⊙ h_{t−1} + (1 − z) ⊙ ĥ, given dh = ∂L/∂h_t:
    /// dA_z = dh ⊙ (h_{t−1} − ĥ), dA_ĥ = dh ⊙ (1 − z) (gates z and ĥ of dA), and the direct path dh_{t−1} = dh ⊙ z.
    /// </summary>
    // a, dA: [batch, 3·units]; hPrev, dH, dHPrev: [batch, units]
    public static void GruUpdateBackward(ReadOnlySpan<float> a, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> dH, int batch, int units,
        Span<float> dA, Span<float> dHPrev)
    {
        Check(a.Length, batch * 3 * units);
        Check(dA.Length, batch * 3 * units);
        for (int n = 0; n < batch; n++)
        {
            var row = a.Slice(n * 3 * units, 3 * units);
            var dRow = dA.Slice(n * 3 * units, 3 * units);
            var dh = dH.Slice(n * units, units);
            var z = row[..units];
            var dz = dRow[..units];
            var dCand = dRow.Slice(2 * units, units);
            TensorPrimitives.Subtract(hPrev.Slice(n * units, units), row.Slice(2 * units, units), dz);
            TensorPrimitives.Multiply(dz, dh, dz);                                       // dA_z = dh ⊙ (h_{t−1} − ĥ)
            TensorPrimitives.Multiply(z, dh, dHPrev.Slice(n * units, units));            // dh_{t−1} (direct) = dh ⊙ z
            TensorPrimitives.Subtract(dh, dHPrev.Slice(n * units, units), dCand);        // dA_ĥ = dh − dh ⊙ z
        }
    }

    /// <summary>
    /// GRU backward through s = x_h + r ⊙ rec_h, given dS (the candidate's pre-activation gradient, gate h of
    /// <paramref name="dZ"/>): dA_r = dS ⊙ rec_h (gate r of dA) and dRec_h = dS ⊙ r (gate h of dRec).
    /// </summary>
    // a, rec, dZ, dA, dRec: [batch, 3·units]
    public static void GruCandidateBackward(ReadOnlySpan<float> a, ReadOnlySpan<float> rec, ReadOnlySpan<float> dZ, int batch, int units,
        Span<float> dA, Span<float> dRec)
    {
        Check(a.Length, batch * 3 * units);
        for (int n = 0; n < batch; n++)
        {
            int row = n * 3 * units;
            var ds = dZ.Slice(row + 2 * units, units);
            TensorPrimitives.Multiply(ds, rec.Slice(row + 2 * units, units), dA.Slice(row + units, units));
            TensorPrimitives.Multiply(ds, a.Slice(row + units, units), dRec.Slice(row + 2 * units, units));
        }
    }

    private static void Check(int actual, int needed)
    {
        if (actual < needed)
            throw new ArgumentException($"A span holds {actual} values where {needed} are needed.");
    }
}
