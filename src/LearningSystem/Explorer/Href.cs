using LearningSystem.Negotiating;

namespace LearningSystem.Explorer;

/// <summary>Every address the explorer links or redirects to, built in one place, so that no page makes up a path of its own.</summary>
public static class Href
{
    public static string Organisation => ExplorerModule.Root;

    public static string Stylesheet => $"{ExplorerModule.Root}/explorer.css";

    /// <summary>A proposal's page; <paramref name="kind"/> is one of <see cref="Moves.Kinds"/>.</summary>
    public static string Proposal(string kind, Guid id) => $"{ExplorerModule.Root}/{kind}/{id}";

    public static string Proposal(string kind, Guid id, long version) => $"{Proposal(kind, id)}?version={version}";

    public static string Priority(Guid id) => Proposal(Moves.Priorities, id);

    public static string ServiceRedesign(Guid id) => Proposal(Moves.ServiceRedesigns, id);

    public static string CurriculumChange(Guid id) => Proposal(Moves.CurriculumChanges, id);

    public static string Decision(Guid id) => $"{ExplorerModule.Root}/decisions/{id}";

    public static string Round(Guid id) => $"{ExplorerModule.Root}/rounds/{id}";

    /// <summary>The learning loop around an item; lineage ids are the item's id, or a step's id within it.</summary>
    public static string Lineage(object id) => $"{ExplorerModule.Root}/lineage/{id}";

    /// <summary>A list page (<c>priorities</c>, <c>decisions</c>, …), with its filters as the query.</summary>
    public static string List(string list, string? query = null) => $"{ExplorerModule.Root}/{list}{(string.IsNullOrEmpty(query) ? "" : $"?{query}")}";

    public static string Search(string? words = null) => words is null ? $"{ExplorerModule.Root}/search" : $"{ExplorerModule.Root}/search?q={Uri.EscapeDataString(words)}";

    public static string Participant(Guid id) => $"{ExplorerModule.Root}/participants/{id}";

    public static string StakeholderGroup(string group) => $"{ExplorerModule.Root}/stakeholder-groups/{group}";

    public static string StakeholderGroupActs(string group) => $"{StakeholderGroup(group)}/acts";

    public static string Comparison(Guid first, Guid? second = null) =>
        second is null ? $"{Round(first)}/comparison" : $"{Round(first)}/comparison?with={second}";

    /// <summary>An act's place in its item's timeline: the item as that act left it, at the act.</summary>
    public static string Act(string kind, Guid on, long version) =>
        kind == Finding.People.WhoDidWhatEndpoint.Rounds ? $"{Round(on)}?version={version}" : $"{Proposal(kind, on, version)}#act-{version}";

    public static string Audit(bool verifyNow = false) => verifyNow ? $"{ExplorerModule.Root}/audit?verify=now" : $"{ExplorerModule.Root}/audit";

    /// <summary>Where the sign-in form is shown and posted.</summary>
    public static string SignInForm => SignInPath;

    public static string SignIn(string returnTo) => $"{SignInPath}?returnTo={Uri.EscapeDataString(returnTo)}";

    public static string SignInRefused(string reason) => $"{SignInPath}?refused={reason}";

    public static string SignInWithProvider => $"{SignInPath}/provider";

    public static string SignedIn(string returnTo) => $"{ExplorerModule.Root}/signed-in?returnTo={Uri.EscapeDataString(returnTo)}";

    public static string SignOut => $"{ExplorerModule.Root}/sign-out";

    private static string SignInPath => $"{ExplorerModule.Root}/sign-in";
}
