namespace Strata.Data.Files;

/// <summary>The channels <see cref="ImageFolder"/> reads, as Keras's <c>color_mode</c>.</summary>
public enum ColorMode
{
    /// <summary>
    /// One channel: luma Y = 0.299R + 0.587G + 0.114B (ITU-R BT.601), rounded to 8 bits as the JPEG and PNG decoders
    /// TensorFlow uses round it. A grey image is read as it is.
    /// </summary>
    Grayscale,

    /// <summary>Three channels, red, green, blue; a grey image is repeated in each. Keras's default.</summary>
    Rgb,
}
