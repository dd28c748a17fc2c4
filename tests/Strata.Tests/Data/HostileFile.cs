namespace Strata.Tests.Data;

/// <summary>
/// A file a reader must refuse, as the catalogues of hostile files (<see cref="HostileIdx"/>, <see cref="HostilePng"/>,
/// <c>HostileSafeTensors</c>, <c>HostileModelFiles</c>) list them: the readers' own tests check each refusal's
/// message in-process, and the memory-limit test hands every kind of them to the real command line in a child process.
/// </summary>
/// <param name="Name">Unique within its catalogue; the file name when written.</param>
/// <param name="Family">The sweep it belongs to (every truncation of one file, say), or its own name when it stands alone.</param>
/// <param name="Reason">Words the refusal's message contains; empty when several messages are right (a cut may fall anywhere).</param>
/// <param name="Make">Builds the bytes (some catalogues build them from a trained model, so not before a test asks).</param>
internal sealed record HostileFile(string Name, string Family, string Reason, Func<byte[]> Make)
{
    /// <summary>A file that stands alone, not part of a sweep.</summary>
    public static HostileFile Single(string name, string reason, Func<byte[]> make) => new(name, name, reason, make);

    /// <summary>
    /// The first, middle and last files of each family and every file that stands alone: each kind of hostile file,
    /// without the hundreds of cuts of one sweep, for tests that pay a process start per file.
    /// </summary>
    public static IEnumerable<HostileFile> EachKind(IEnumerable<HostileFile> files) =>
        files.GroupBy(f => f.Family).SelectMany(family =>
        {
            var members = family.ToList();
            return new[] { 0, members.Count / 2, members.Count - 1 }.Distinct().Select(i => members[i]);
        });

    public override string ToString() => Name;
}
