using Strata.Layers;
using Strata.Optimizers;

namespace Strata.Data.Files.Tests.Images;

/// <summary>An image folder read by <see cref="ImageFolder"/> trains a convolutional network as it is: channels last, labels [n].</summary>
public sealed class ImageFolderTrainingTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void GreyImagesOfTwoSizes_TrainAConvolutionalClassifier()
    {
        // "left": the left half bright; "right": the right half. Noisy, and written at two sizes, resized to 8×8.
        var random = new Random(5);
        for (int i = 0; i < 40; i++)
        {
            string label = i % 2 == 0 ? "left" : "right";
            int size = i % 4 < 2 ? 10 : 6;
            TestImages.WriteGrey(_folder.File($"{label}/{i}.png"), size, size, (x, _) =>
                (byte)Math.Clamp(((x < size / 2) == (label == "left") ? 180 : 60) + random.Next(-40, 40), 0, 255));
        }

        var (train, validation) = ImageFolder.Load(_folder.Path, imageSize: (8, 8), colorMode: ColorMode.Grayscale, validationSplit: 0.25f, seed: 1);
        Assert.Equal(["left", "right"], train.ClassNames);

        var model = new Sequential(
            new Conv2D(4, 3, activation: Activations.Relu, inputShape: [8, 8, 1]),
            new Flatten(),
            new Dense(2, activation: Activations.Softmax)) { Seed = 1 };
        model.Compile(new Adam(learningRate: 0.01f), Losses.SparseCategoricalCrossentropy, [Metrics.Accuracy]);
        model.Fit(train.Images, train.Labels, epochs: 30, batchSize: 8, seed: 1);

        var result = model.Evaluate(validation!.Images, validation.Labels);
        Assert.True(result["accuracy"] >= 0.9, $"validation accuracy {result["accuracy"]}");
    }
}
