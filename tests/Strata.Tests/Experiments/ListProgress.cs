namespace Strata.Tests.Experiments;

/// <summary>Collects what an experiment reports, at once and in order (a <see cref="Progress{T}"/> would post to the thread pool).</summary>
internal sealed class ListProgress<T>(List<T> reported) : IProgress<T>
{
    public void Report(T value) => reported.Add(value);
}
