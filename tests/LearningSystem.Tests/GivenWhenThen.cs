namespace LearningSystem.Tests;

/// <summary>The "then" the decider tests share; bring it in with <c>using static LearningSystem.Tests.GivenWhenThen;</c>.</summary>
public static class GivenWhenThen
{
    /// <summary>Then the decision is refused as <paramref name="kind"/>; answers the refusal, for more checks.</summary>
    public static Rejected ThenRejected(RejectionKind kind, Action when)
    {
        var rejected = Assert.Throws<Rejected>(when);
        Assert.Equal(kind, rejected.Kind);
        return rejected;
    }

    /// <summary>Then the decision is refused as <paramref name="kind"/>, naming <paramref name="field"/>.</summary>
    public static void ThenRejected(RejectionKind kind, string? field, Action when)
    {
        var rejected = Assert.Throws<Rejected>(when);
        Assert.Equal((kind, field), (rejected.Kind, rejected.Field));
    }
}
