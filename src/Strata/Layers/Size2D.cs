namespace Strata.Layers;

/// <summary>
/// A (height, width) pair for a kernel size, strides, dilation rate or pool size, as Keras takes them: an int means
/// the same value on both axes (<c>3</c> is (3, 3)) and a tuple gives each axis (<c>(1, 3)</c>), so
/// <c>new Conv2D(8, 3)</c> and <c>new Conv2D(8, (1, 3), strides: (2, 1))</c> both read naturally.
/// </summary>
public readonly record struct Size2D(int Height, int Width)
{
    /// <summary>n on both axes.</summary>
    public static implicit operator Size2D(int size) => new(size, size);

    /// <summary>(height, width).</summary>
    public static implicit operator Size2D((int Height, int Width) size) => new(size.Height, size.Width);

    /// <summary>Whether both axes are n.</summary>
    public bool Is(int n) => Height == n && Width == n;

    /// <summary>"3×3", "1×3": height × width, as error messages name a window.</summary>
    public override string ToString() => $"{Height}×{Width}";

    /// <summary>Both axes positive, or an ArgumentOutOfRangeException naming the parameter.</summary>
    internal Size2D RequirePositive(string parameter) =>
        Height > 0 && Width > 0 ? this : throw new ArgumentOutOfRangeException(parameter, this, $"{parameter} must be positive on both axes.");
}
