namespace Strata.Onnx.Layers;

/// <summary>
/// The padding Keras (TensorFlow) applies along one spatial axis, as explicit (before, after) amounts for ONNX.
/// "valid" pads nothing. "same" gives out = ⌈in / stride⌉ outputs and pads the window's reach
/// total = max((out − 1)·stride + span − in, 0), span = dilation·(k − 1) + 1, putting ⌊total/2⌋ before and the
/// rest after: an odd pixel of padding goes at the end (ONNX's SAME_UPPER, the opposite of PyTorch's choice).
/// We write the pads out rather than use auto_pad, which ONNX marks deprecated.
/// </summary>
internal static class TensorFlowPadding
{
    public static (long Before, long After) Along(int input, int kernel, int stride, int dilation, string padding)
    {
        if (padding != "same") return (0, 0);
        long span = (long)dilation * (kernel - 1) + 1;
        long output = (input + (long)stride - 1) / stride;
        long total = Math.Max((output - 1) * stride + span - input, 0);
        return (total / 2, total - total / 2);
    }
}
